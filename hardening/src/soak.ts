#!/usr/bin/env node
// Soak: `node hardening/src/soak.ts --minutes 30 --rate 300 [--sample-seconds 5] [--es-port N | --es-url URL] [--no-write]`.
import { mkdirSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { runSoak } from './soak/run-soak.ts';
import { startOwnElasticsearch, type OwnElasticsearch } from './stack/own-elasticsearch.ts';
import { formatSoakCsv, formatSoakMarkdown, formatSoakSvg } from './soak/soak-report.ts';

const USAGE = `usage: node hardening/src/soak.ts --minutes M --rate REQUESTS_PER_S [--sample-seconds S] [--es-port PORT | --es-url URL] [--no-write]
  --es-port  start an Elasticsearch of its own on this port (default 9261) and stop it afterwards
  --es-url   use a running Elasticsearch instead`;
const RESULTS_DIR = fileURLToPath(new URL('../results/', import.meta.url));

function fail(message: string): never {
  console.error(`${message}\n${USAGE}`);
  process.exit(2);
}

function positive(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) fail(`--${name}: expected a positive number, got "${text}"`);
  return value;
}

async function main(): Promise<void> {
  let values: { minutes?: string | undefined; rate?: string | undefined; 'sample-seconds'?: string | undefined; 'es-url'?: string | undefined; 'es-port'?: string | undefined; 'no-write'?: boolean | undefined; help?: boolean | undefined };
  try {
    ({ values } = parseArgs({
      options: { minutes: { type: 'string' }, rate: { type: 'string' }, 'sample-seconds': { type: 'string' }, 'es-url': { type: 'string' }, 'es-port': { type: 'string' }, 'no-write': { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    }));
  } catch (error) {
    fail((error as Error).message);
  }
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const minutes = positive('minutes', values.minutes, 30);
  const rate = positive('rate', values.rate, 300);
  const sampleSeconds = positive('sample-seconds', values['sample-seconds'], 5);
  if (values['es-url'] !== undefined && values['es-port'] !== undefined) fail('give --es-url or --es-port, not both');
  const log = (message: string): void => console.error(`${new Date().toISOString().slice(11, 19)} ${message}`);
  let own: OwnElasticsearch | undefined;
  let esUrl = values['es-url'];
  if (esUrl === undefined) {
    const port = positive('es-port', values['es-port'], 9261);
    log(`starting Elasticsearch of our own on 127.0.0.1:${port}`);
    own = await startOwnElasticsearch(port);
    esUrl = own.url;
  } else {
    const answers = await fetch(`${esUrl}/_cluster/health`, { signal: AbortSignal.timeout(5_000) }).then((response) => response.ok, () => false);
    if (!answers) fail(`HARDENING_ES_UNREACHABLE: no Elasticsearch answers at ${esUrl} (start one with scripts/elasticsearch.sh start, or use --es-port)`);
  }
  log(`soak: ${rate} requests/s for ${minutes} min, telemetry to ${esUrl}`);
  let run;
  try {
    run = await runSoak({ esUrl, minutes, rate, sampleSeconds, command: `node hardening/src/soak.ts ${process.argv.slice(2).join(' ')}`.trim(), log });
  } finally {
    if (own !== undefined) {
      log('stopping our Elasticsearch');
      await own.stop();
    }
  }
  const summary = `soak ${run.verdict}: ${run.client.sent} requests, ${run.client.errors} errors; events ${run.events.expected} expected, ${run.events.stored} stored, ${run.events.lost} lost, ${run.events.duplicated} duplicated; RSS ${(run.rss.fit.slope * 60).toFixed(2)} MiB/h (rise ${run.rss.rise.toFixed(1)} <= ${run.rss.bound.toFixed(1)}: ${run.rss.flat}); event-loop p99 ${(run.eventLoopP99.fit.slope * 60).toFixed(2)} ms/h (rise ${run.eventLoopP99.rise.toFixed(2)} <= ${run.eventLoopP99.bound.toFixed(2)}: ${run.eventLoopP99.flat})`;
  console.log(summary);
  for (const reason of run.reasons) console.log(`- ${reason}`);
  if (!values['no-write']) {
    mkdirSync(RESULTS_DIR, { recursive: true });
    const base = join(RESULTS_DIR, `${run.startedAt.slice(0, 10)}-${hostname()}-soak`);
    const files = { csv: `${basename(base)}.csv`, svg: `${basename(base)}.svg` };
    writeFileSync(`${base}.csv`, formatSoakCsv(run));
    writeFileSync(`${base}.svg`, formatSoakSvg(run));
    writeFileSync(`${base}.md`, formatSoakMarkdown(run, files));
    console.log(`written: ${base}.md, .csv, .svg`);
  }
  process.exitCode = run.verdict === 'PASS' ? 0 : 1;
}

await main();
