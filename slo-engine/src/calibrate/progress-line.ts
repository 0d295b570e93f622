/**
 * A progress reporter for reading events: on a terminal one line rewritten in place, otherwise
 * (logs, CI) a line per 10 % step. Silent for runs under `quietBelow` events.
 */
export function progressLine(stream: NodeJS.WriteStream, quietBelow = 50_000): (read: number, total: number) => void {
  let lastDecile = -1;
  let started = 0;
  return (read, total) => {
    if (total < quietBelow) return;
    if (started === 0) started = Date.now();
    const share = total === 0 ? 1 : Math.min(1, read / total);
    const elapsed = (Date.now() - started) / 1000;
    const text = `calibrate: reading events ${read.toLocaleString('en')} / ${total.toLocaleString('en')} (${(share * 100).toFixed(0)} %, ${elapsed.toFixed(1)} s)`;
    if (stream.isTTY) {
      stream.write(`\r${text}${read >= total ? '\n' : ''}`);
      return;
    }
    const decile = Math.floor(share * 10);
    if (decile !== lastDecile) {
      lastDecile = decile;
      stream.write(`${text}\n`);
    }
  };
}
