// Command-line entry (dist/cli.js). A table of subcommands; each parses its own arguments.
// Exit codes: 0 success, 1 failure (message on stderr), 2 usage error.
import { convertCt2Command, isExpectedCliError, modelFixtureCommand, UsageError } from './node/model/cliCommands';
import { transcribeCommand, transcriptCacheCommand } from './node/transcription/cliTranscribe';

export interface CliIo {
  readonly stdout: (line: string) => void;
  readonly stderr: (line: string) => void;
  readonly env: NodeJS.ProcessEnv;
}

export interface CliCommand {
  readonly name: string;
  readonly summary: string;
  /** One line: the command name and its arguments. */
  readonly usage: string;
  /** Resolves to the exit code; throws UsageError for bad arguments. */
  run(args: readonly string[], io: CliIo): Promise<number>;
}

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

export const commands: readonly CliCommand[] = [modelFixtureCommand, convertCt2Command, transcribeCommand, transcriptCacheCommand];

export function usageText(table: readonly CliCommand[] = commands): string {
  const width = Math.max(...table.map((c) => c.name.length));
  return [
    'usage: offline-dictation <command> [arguments]',
    '',
    'commands:',
    ...table.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    ...table.map((c) => `  ${c.usage}`),
  ].join('\n');
}

export async function runCli(argv: readonly string[], io: CliIo, table: readonly CliCommand[] = commands): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    (name === undefined ? io.stderr : io.stdout)(usageText(table));
    return name === undefined ? EXIT_USAGE : EXIT_OK;
  }
  const command = table.find((c) => c.name === name);
  if (!command) {
    io.stderr(`unknown command: ${name}\n\n${usageText(table)}`);
    return EXIT_USAGE;
  }
  if (args.includes('--help') || args.includes('-h')) {
    io.stdout(`usage: offline-dictation ${command.usage}`);
    return EXIT_OK;
  }
  try {
    return await command.run(args, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`${name}: ${error.message}\nusage: offline-dictation ${command.usage}`);
      return EXIT_USAGE;
    }
    if (isExpectedCliError(error)) {
      io.stderr(`${name} failed [${error.code}]: ${error.message}`);
      return EXIT_FAILURE;
    }
    io.stderr(`${name} failed: ${(error as Error)?.stack ?? String(error)}`);
    return EXIT_FAILURE;
  }
}

if (require.main === module) {
  const io: CliIo = {
    stdout: (line) => process.stdout.write(`${line}\n`),
    stderr: (line) => process.stderr.write(`${line}\n`),
    env: process.env,
  };
  runCli(process.argv.slice(2), io).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`${String(error)}\n`);
      process.exitCode = EXIT_FAILURE;
    },
  );
}
