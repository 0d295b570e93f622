#!/usr/bin/env node
// `npm start`: the demo stack on this machine. Echo upstreams on 127.0.0.1:9001-9006 and the
// proxy on 127.0.0.1:8080 routing the virtual hosts of demo/proxy.yaml to them.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { spawnEchoUpstream, type SpawnedEchoUpstream } from '@lookout/echo-upstream';
import { buildProxyIfStale, proxyArgs, proxyRuntime } from '@lookout/proxy/launch';

const CONFIG = fileURLToPath(new URL('../proxy.yaml', import.meta.url));
const UPSTREAMS = [
  { name: 'my-service-1', port: 9001 },
  { name: 'my-service-2', port: 9002 },
  { name: 'my-service2-1', port: 9003 },
  { name: 'my-service2-2', port: 9004 },
  { name: 'my-service3-1', port: 9005 },
  { name: 'my-service3-2', port: 9006 },
];

function say(message: string): void {
  process.stderr.write(`[demo] ${message}\n`);
}

say(`starting ${UPSTREAMS.length} echo upstreams on 127.0.0.1:${UPSTREAMS[0]!.port}-${UPSTREAMS.at(-1)!.port} ...`);
const echoes: SpawnedEchoUpstream[] = await Promise.all(UPSTREAMS.map((u) => spawnEchoUpstream(u)));

buildProxyIfStale(process.execPath, say);
say(`starting the proxy with ${CONFIG} ...`);
const proxy = spawn(process.execPath, proxyArgs(['--config', CONFIG]), { stdio: 'inherit', env: { ...process.env, ...proxyRuntime().env } });

let stopping = false;
async function stop(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  say('stopping ...');
  proxy.kill('SIGTERM');
  await Promise.all(echoes.map((echo) => echo.stop()));
  process.exit(code);
}
proxy.once('exit', (code) => void stop(code ?? 1));
process.once('SIGINT', () => void stop(0));
process.once('SIGTERM', () => void stop(0));

await waitForProxy('http://127.0.0.1:8080/health', 15_000);
say('ready: try');
say("  curl -s -H 'Host: my-service.my-company.com' http://127.0.0.1:8080/hello");
say("  curl -s -H 'Host: my-service.my-company.com' -H 'x-echo-status: 503' http://127.0.0.1:8080/fail");
say('  curl -s http://127.0.0.1:8080/health');
say('Ctrl-C stops everything.');

async function waitForProxy(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  say(`the proxy did not answer ${url} within ${timeoutMs} ms`);
  await stop(1);
}
