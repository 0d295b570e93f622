import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HARDENING_LIMITS, startHardeningStack, type HardeningStack } from './hardening-stack.ts';
import { mutatedRequest, SeededRandom, splitForWriting } from './hardening-http-mutator.ts';

/**
 * Byte-level fuzzing of the proxy's HTTP front end: random and mutated requests over raw
 * sockets to a real proxy process, bounded in count and time (`LOOKOUT_FUZZ_SECONDS`, default
 * 8; `LOOKOUT_FUZZ_MAX_INPUTS`, default 600). Replay a run with `LOOKOUT_FUZZ_SEED`.
 *
 * For every input the proxy must answer (a well-formed status line) or close the connection
 * within its own timeouts; afterwards the process is still running and serves a good request.
 */

const SECONDS = Number(process.env.LOOKOUT_FUZZ_SECONDS ?? 8);
const MAX_INPUTS = Number(process.env.LOOKOUT_FUZZ_MAX_INPUTS ?? 600);
const SEED = Number(process.env.LOOKOUT_FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
const CONNECTIONS = 6;
// Past this an input that got neither an answer nor a close counts as a hang: the request
// timeout, the interval Node checks it on, and room for a loaded machine.
const PATIENCE_MS = HARDENING_LIMITS.clientRequestTimeoutMs + 2_500;
const STATUS_LINE = /^HTTP\/1\.1 [1-5]\d\d [^\r\n]*\r\n/;

let stack: HardeningStack;

beforeAll(async () => {
  // Upstream timeouts below the test's patience, so no mutated request waits on an upstream.
  stack = await startHardeningStack({}, { timeouts: { headers: '2s', bodyIdle: '2s', total: '3s' } });
}, 60_000);

afterAll(async () => {
  await stack?.stop();
});

type Verdict = { kind: 'answered'; finalResponses: number } | { kind: 'closed' } | { kind: 'hung' } | { kind: 'garbled'; head: string };

/** Writes one input and watches what the proxy does with it. */
function exchange(port: number, parts: readonly Buffer[], gapMs: number): Promise<Verdict> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let received = Buffer.alloc(0);
    let settled = false;
    let quiet: NodeJS.Timeout | undefined;
    const finish = (verdict: Verdict): void => {
      if (settled) return;
      settled = true;
      clearTimeout(patience);
      clearTimeout(quiet);
      socket.destroy();
      resolve(verdict);
    };
    const judge = (): Verdict => {
      if (received.length === 0) return { kind: 'closed' };
      const text = received.toString('latin1');
      if (!STATUS_LINE.test(text)) return { kind: 'garbled', head: text.slice(0, 80) };
      const finals = (text.match(/HTTP\/1\.1 [2-5]\d\d /g) ?? []).length;
      return { kind: 'answered', finalResponses: finals };
    };
    const patience = setTimeout(() => finish(received.length > 0 ? judge() : { kind: 'hung' }), PATIENCE_MS);
    socket.on('error', () => {});
    socket.on('close', () => finish(judge()));
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      // An answered keep-alive connection stays open: stop once the proxy has been quiet a while.
      clearTimeout(quiet);
      if (received.includes('\r\n\r\n')) quiet = setTimeout(() => finish(judge()), 300);
    });
    socket.once('connect', async () => {
      for (const part of parts) {
        if (settled || socket.destroyed) return;
        socket.write(part);
        if (gapMs > 0) await new Promise((r) => setTimeout(r, gapMs));
      }
    });
  });
}

describe(`HTTP front end fuzzing (seed ${SEED})`, () => {
  it('answers or closes every random or mutated request, never crashes, and keeps serving', async () => {
    const random = new SeededRandom(SEED);
    const deadline = performance.now() + SECONDS * 1_000;
    const mark = stack.mark();
    const tally = { inputs: 0, answered: 0, closed: 0, finalResponses: 0 };
    const failures: string[] = [];

    // Inputs are drawn in order from the one generator, so a seed replays the same inputs.
    const next = (): { input: Buffer; parts: Buffer[]; gapMs: number } | undefined => {
      if (tally.inputs >= MAX_INPUTS || performance.now() > deadline) return undefined;
      tally.inputs++;
      const input = mutatedRequest(random);
      return { input, parts: splitForWriting(random, input), gapMs: random.int(3) === 0 ? random.int(30) : 0 };
    };
    const worker = async (): Promise<void> => {
      for (let job = next(); job !== undefined; job = next()) {
        const verdict = await exchange(stack.proxy.port, job.parts, job.gapMs);
        if (verdict.kind === 'answered') {
          tally.answered++;
          tally.finalResponses += verdict.finalResponses;
        } else if (verdict.kind === 'closed') {
          tally.closed++;
        } else {
          failures.push(`${verdict.kind}${verdict.kind === 'garbled' ? ` ${JSON.stringify(verdict.head)}` : ''} for ${JSON.stringify(job.input.toString('latin1').slice(0, 200))}`);
        }
        if (stack.proxy.process.exitCode !== null || stack.proxy.process.signalCode !== null) {
          failures.push(`proxy exited after ${JSON.stringify(job.input.toString('latin1').slice(0, 200))}`);
          return;
        }
      }
    };
    await Promise.all(Array.from({ length: CONNECTIONS }, worker));

    console.log(`fuzz seed ${SEED}: ${tally.inputs} inputs, ${tally.answered} answered, ${tally.closed} closed without an answer, ${failures.length} failures`);
    expect(failures).toEqual([]);
    expect(tally.inputs).toBeGreaterThan(20);
    expect(stack.proxy.process.exitCode).toBeNull();
    expect((await stack.goodRequest()).status).toBe(200);
    // Every connection that got an answer left at least one event (a request may also be
    // recorded without a response reaching the client, e.g. a client abort).
    const events = await stack.eventsAfter(mark, tally.answered);
    expect(events.length).toBeGreaterThanOrEqual(tally.answered);
    expect(stack.proxy.logs.filter((line) => line.level === 'fatal')).toEqual([]);
  }, 120_000);
});
