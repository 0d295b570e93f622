// Peer for the bench: @fastify/http-proxy with its defaults (undici pool via @fastify/reply-from,
// keep-alive), no logger. Usage: node fastify-proxy.ts --port 18081 --upstream http://127.0.0.1:18000
import proxy from '@fastify/http-proxy';
import Fastify from 'fastify';
import { peerArgs } from './args.ts';

const { port, upstream } = peerArgs();
const app = Fastify({ logger: false });
await app.register(proxy, { upstream });
await app.listen({ host: '127.0.0.1', port });
process.stdout.write(`${JSON.stringify({ msg: 'listening', port, peer: '@fastify/http-proxy' })}\n`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => void app.close().then(() => process.exit(0)));
}
