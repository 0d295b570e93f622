#!/usr/bin/env node
// Runs the fault matrix: `node hardening/src/fault-matrix.ts [--only NAME[,NAME]] [--duration S] [--rate N] [--es-port N]`.
import { mkdirSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { formatMatrixMarkdown, formatMatrixTable } from './matrix/matrix-report.ts';
import { runFaultMatrix } from './matrix/run-fault-matrix.ts';
import { SCENARIOS } from './scenarios/all-scenarios.ts';
import { startOwnElasticsearch } from './stack/own-elasticsearch.ts';

const USAGE = `usage: node hardening/src/fault-matrix.ts [--only NAME[,NAME...]] [--duration SECONDS] [--rate REQUESTS_PER_S] [--es-port PORT] [--no-write]
scenarios: ${SCENARIOS.map((scenario) => scenario.name).join(', ')}`;
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
  let values: { only?: string[] | undefined; duration?: string | undefined; rate?: string | undefined; 'es-port'?: string | undefined; 'no-write'?: boolean | undefined; help?: boolean | undefined };
  try {
    ({ values } = parseArgs({
      options: {
        only: { type: 'string', multiple: true },
        duration: { type: 'string' },
        rate: { type: 'string' },
        'es-port': { type: 'string' },
        'no-write': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    fail((error as Error).message);
  }
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const names = (values.only ?? []).flatMap((value) => value.split(',')).filter((name) => name !== '');
  const unknown = names.filter((name) => !SCENARIOS.some((scenario) => scenario.name === name));
  if (unknown.length > 0) fail(`--only: unknown scenario ${unknown.map((name) => `"${name}"`).join(', ')}`);
  const scenarios = names.length === 0 ? SCENARIOS : SCENARIOS.filter((scenario) => names.includes(scenario.name));
  const durationS = positive('duration', values.duration, 60);
  const rate = positive('rate', values.rate, 100);
  const esPort = positive('es-port', values['es-port'], 9261);

  const log = (message: string): void => console.error(`${new Date().toISOString().slice(11, 19)} ${message}`);
  log(`starting Elasticsearch of our own on 127.0.0.1:${esPort}`);
  const elasticsearch = await startOwnElasticsearch(esPort);
  const stopElasticsearch = (): void => void elasticsearch.stop().finally(() => process.exit(130));
  process.once('SIGINT', stopElasticsearch);
  let run;
  try {
    run = await runFaultMatrix({ scenarios, elasticsearch, durationS, rate, command: `node hardening/src/fault-matrix.ts ${process.argv.slice(2).join(' ')}`.trim(), log });
  } finally {
    log('stopping our Elasticsearch');
    await elasticsearch.stop();
    process.off('SIGINT', stopElasticsearch);
  }
  console.log(formatMatrixTable(run.results));
  if (!values['no-write']) {
    mkdirSync(RESULTS_DIR, { recursive: true });
    const base = join(RESULTS_DIR, `${run.startedAt.slice(0, 10)}-${hostname()}-fault-matrix`);
    writeFileSync(`${base}.md`, formatMatrixMarkdown(run));
    writeFileSync(`${base}.json`, `${JSON.stringify(run, null, 2)}\n`);
    console.log(`\nwritten: ${base}.md, ${base}.json`);
  }
  process.exitCode = run.results.every((result) => result.verdict === 'PASS') ? 0 : 1;
}

await main();
