import { parseArgs } from 'node:util';

/** `--port N --upstream URL`, shared by the peer proxies. */
export function peerArgs(): { port: number; upstream: string } {
  const { values } = parseArgs({
    options: { port: { type: 'string' }, upstream: { type: 'string' } },
  });
  if (!values.port || !values.upstream) {
    process.stderr.write('usage: --port N --upstream http://127.0.0.1:PORT\n');
    process.exit(2);
  }
  return { port: Number(values.port), upstream: values.upstream };
}
