import { parseCli, usage } from './cli-options.ts';
import { type EchoUpstream, startEchoUpstream } from './echo-server.ts';
import { EchoOptionError } from './errors.ts';

function fail(message: string, exitCode: number): never {
  process.stderr.write(`echo-upstream: ${message}\n`);
  process.exit(exitCode);
}

let command;
try {
  command = parseCli(process.argv.slice(2));
} catch (error) {
  if (error instanceof EchoOptionError) fail(`${error.message}\nRun with --help to list the flags.`, 2);
  throw error;
}
if (command.kind === 'help') {
  process.stdout.write(usage());
  process.exit(0);
}

let upstream: EchoUpstream;
try {
  upstream = await startEchoUpstream(command.options);
} catch (error) {
  if (error instanceof EchoOptionError) fail(error.message, 2);
  const { host = '127.0.0.1', port = 0 } = command.options;
  fail(`cannot listen on ${host}:${port}: ${(error as Error).message}`, 1);
}

let stopping = false;
function stop(): void {
  // A second signal means "now": in-flight requests are not waited for.
  if (stopping) process.exit(0);
  stopping = true;
  void upstream.close().then(() => process.exit(0));
}
// Handlers first: whoever reads the listening line may signal at once.
process.on('SIGTERM', stop);
process.on('SIGINT', stop);

// Tests and the spawn helper parse this exact line to learn the port.
process.stdout.write(`${JSON.stringify({ msg: 'listening', name: upstream.name, host: upstream.host, port: upstream.port })}\n`);
