// Peer for the bench: the `http-proxy` package on node:http, with a keep-alive agent (without
// one, http-proxy opens a connection per request and sends `Connection: close` upstream).
// Usage: node node-http-proxy.ts --port 18082 --upstream http://127.0.0.1:18000
import http from 'node:http';
import httpProxy from 'http-proxy';
import { peerArgs } from './args.ts';

const { port, upstream } = peerArgs();
const agent = new http.Agent({ keepAlive: true, maxSockets: 128 });
const proxy = httpProxy.createProxyServer({ target: upstream, agent });
proxy.on('error', (_error, _req, res) => {
  // `res` is a socket for WebSocket upgrades; only plain responses are proxied here.
  if (res instanceof http.ServerResponse && !res.headersSent) {
    res.writeHead(502, { 'content-type': 'text/plain' });
    res.end('bad gateway');
  } else {
    res.destroy();
  }
});
const server = http.createServer((req, res) => proxy.web(req, res));
server.listen(port, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ msg: 'listening', port, peer: 'http-proxy' })}\n`);
});

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    server.close();
    agent.destroy();
    process.exit(0);
  });
}
