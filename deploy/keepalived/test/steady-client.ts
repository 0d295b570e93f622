// Steady HTTP client for the HA test, run inside the lab's client namespace:
//   node steady-client.ts URL HOST_HEADER INTERVAL_MS TIMEOUT_MS MAX_DURATION_MS
// Starts one GET every INTERVAL_MS (open loop: a slow answer does not slow the rate), each
// bounded by TIMEOUT_MS, over keep-alive connections as a real client would use them, and
// prints one JSON line per request when it ends. Stops on SIGTERM or after MAX_DURATION_MS,
// waits for the requests in flight, then exits.
import { Agent, get } from 'node:http';

/** One line of output. Times are epoch ms. */
export interface ClientRecord {
  readonly seq: number;
  readonly start: number;
  readonly end: number;
  /** HTTP status, 0 when no response arrived. */
  readonly status: number;
  /** The echo upstream instance that answered (its JSON reply's `instance`). */
  readonly instance?: string;
  /** Error code or message when no complete response arrived. */
  readonly error?: string;
}

const [url, host, intervalText, timeoutText, maxText] = process.argv.slice(2);
if (url === undefined || host === undefined || intervalText === undefined || timeoutText === undefined || maxText === undefined) {
  console.error('usage: steady-client.ts URL HOST_HEADER INTERVAL_MS TIMEOUT_MS MAX_DURATION_MS');
  process.exit(2);
}
const intervalMs = Number(intervalText);
const timeoutMs = Number(timeoutText);
const deadline = Date.now() + Number(maxText);
const agent = new Agent({ keepAlive: true, maxSockets: 16 });
let seq = 0;
let inFlight = 0;
let stopping = false;

function send(n: number): void {
  const start = Date.now();
  let done = false;
  inFlight++;
  const finish = (record: Omit<ClientRecord, 'seq' | 'start' | 'end'>): void => {
    if (done) return;
    done = true;
    inFlight--;
    process.stdout.write(`${JSON.stringify({ seq: n, start, end: Date.now(), ...record })}\n`);
    if (stopping && inFlight === 0) process.exit(0);
  };
  const request = get(url!, { agent, headers: { host }, timeout: timeoutMs }, (response) => {
    const chunks: Buffer[] = [];
    response.on('data', (chunk: Buffer) => chunks.push(chunk));
    response.on('end', () => {
      let instance: string | undefined;
      try {
        instance = (JSON.parse(Buffer.concat(chunks).toString()) as { instance?: string }).instance;
      } catch {
        instance = undefined;
      }
      finish({ status: response.statusCode ?? 0, ...(instance === undefined ? {} : { instance }) });
    });
    response.on('error', (error: NodeJS.ErrnoException) => finish({ status: 0, error: error.code ?? error.message }));
  });
  request.on('timeout', () => request.destroy(Object.assign(new Error('timeout'), { code: 'TIMEOUT' })));
  request.on('error', (error: NodeJS.ErrnoException) => finish({ status: 0, error: error.code ?? error.message }));
}

const timer = setInterval(() => {
  if (stopping || Date.now() > deadline) {
    stop();
    return;
  }
  send(seq++);
}, intervalMs);

function stop(): void {
  stopping = true;
  clearInterval(timer);
  if (inFlight === 0) process.exit(0);
  // Every request ends by its timeout at the latest.
  setTimeout(() => process.exit(0), timeoutMs + 500).unref();
}

process.on('SIGTERM', stop);
