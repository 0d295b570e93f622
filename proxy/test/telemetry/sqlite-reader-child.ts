// Child process for the embedded-sink test: another process reading the SQLite file while the
// proxy writes it, as the slo-engine does. Prints one JSON line per poll: {count, maxSeq}.
import { DatabaseSync } from 'node:sqlite';

const [path, expected, timeoutMs] = process.argv.slice(2) as [string, string, string];
const db = new DatabaseSync(path, { readOnly: true, timeout: 1_000 });
const count = db.prepare('SELECT count(*) AS count, max(seq) AS maxSeq FROM request_events WHERE probe = 0');
const until = Date.now() + Number(timeoutMs);
let last = -1;
while (Date.now() < until) {
  const row = count.get() as { count: number; maxSeq: number | null };
  if (row.count !== last) process.stdout.write(`${JSON.stringify(row)}\n`);
  last = row.count;
  if (row.count >= Number(expected)) break;
  await new Promise((resolve) => setTimeout(resolve, 20));
}
db.close();
