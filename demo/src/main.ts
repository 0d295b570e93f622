#!/usr/bin/env node
// `npm start`: the demo stack on this machine. Echo upstreams on 127.0.0.1:9001-9006, the proxy
// on 127.0.0.1:8080 routing the virtual hosts of demo/proxy.yaml to them and writing its events
// to the embedded store, and the slo-engine with its live dashboard on 127.0.0.1:8090
// evaluating demo/slos.yaml over those events.
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { spawnEchoUpstream, type SpawnedEchoUpstream } from '@lookout/echo-upstream';
import { buildProxyIfStale, proxyArgs, proxyRuntime } from '@lookout/proxy/launch';

const CONFIG = fileURLToPath(new URL('../proxy.yaml', import.meta.url));
const ENGINE_CONFIG = fileURLToPath(new URL('../slo-engine.yaml', import.meta.url));
const ENGINE_MAIN = fileURLToPath(new URL('../../slo-engine/src/main.ts', import.meta.url));
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

let engine: ChildProcess | undefined;
let stopping = false;
async function stop(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  say('stopping ...');
  engine?.kill('SIGTERM');
  proxy.kill('SIGTERM');
  await Promise.all(echoes.map((echo) => echo.stop()));
  process.exit(code);
}
proxy.once('exit', (code) => void stop(code ?? 1));
process.once('SIGINT', () => void stop(0));
process.once('SIGTERM', () => void stop(0));

await waitFor('the proxy', 'http://127.0.0.1:8080/health', 15_000);
say(`starting the slo-engine with ${ENGINE_CONFIG} ...`);
engine = spawn(process.execPath, [ENGINE_MAIN, '--config', ENGINE_CONFIG], { stdio: 'inherit' });
engine.once('exit', (code) => void stop(code ?? 1));
await waitFor('the slo-engine', 'http://127.0.0.1:8090/health', 15_000);
say('ready: open http://127.0.0.1:8090/ for the live dashboard, and try');
say("  curl -s -H 'Host: my-service.my-company.com' http://127.0.0.1:8080/hello");
say("  curl -s -H 'Host: my-service.my-company.com' -H 'x-echo-status: 503' http://127.0.0.1:8080/fail");
say('  curl -s http://127.0.0.1:8080/health');
say('  curl -s http://127.0.0.1:8090/api/slos');
say('Ctrl-C stops everything.');

async function waitFor(what: string, url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  say(`${what} did not answer ${url} within ${timeoutMs} ms`);
  await stop(1);
}
