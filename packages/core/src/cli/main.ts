import { Command, CommanderError } from 'commander';
import packageJson from '../../package.json';
import { addAppCommands } from './app-commands';
import { addConfigCommands } from './config-commands';
import { CliContext, type CliIo } from './context';
import { addDeployCommands } from './deploy-commands';
import { CliError, EXIT } from './errors';
import { addInstanceCommands } from './instance-commands';
import { addJobCommands } from './job-commands';
import { addLoginCommands } from './login-commands';
import { addNodeCommands } from './node-commands';
import { addRoleCommands } from './role-commands';
import { addServiceCommands } from './service-commands';
import { addUpCommand } from './up-command';
import { addUserCommands } from './user-commands';
import { addVersionActionCommands } from './version-action-commands';
import { addVersionCommands } from './version-commands';
import { addVersionScaleCommand } from './version-scale-command';
import { addWorkspaceCommands } from './workspace-commands';

const oneLine = (text: string) => text.replace(/\s*\n\s*/g, ' ').trim();

/** Builds the `paasmaker` command tree writing to `io`. */
export function createProgram(io: CliIo): Command {
  const context = new CliContext(io);
  const program = new Command('paasmaker');
  // Set before adding commands: sub-commands copy these settings when created.
  program
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      outputError: (text, write) => write(`${oneLine(text)} (see --help)\n`),
    })
    .showSuggestionAfterError(true);
  program
    .description('Command-line client of a Paasmaker pacemaker (its HTTP API under /api/v1).')
    .version(packageJson.version, '-V, --version')
    .addHelpText(
      'after',
      `
Credentials: \`paasmaker login\` stores { url, apiKey } in $PAASMAKER_CONFIG_DIR/credentials.json
(default ~/.config/paasmaker), mode 0600. $PAASMAKER_URL and $PAASMAKER_API_KEY override them.
Exit codes: 0 ok, 1 failed (API error, pacemaker unreachable), 2 bad command line, 3 a followed job tree failed.

Examples:
  $ paasmaker up --deploy examples/apps/hello-node   # a whole PaaS on this machine
  $ paasmaker deploy .
  $ paasmaker login --url http://localhost:42500 --user admin --password "$PASSWORD"
  $ paasmaker workspace create "Shop" shop
  $ paasmaker workspace list --json
  $ paasmaker app list <workspace id>
  $ paasmaker job follow <job id>
  $ paasmaker logs <app id> --follow
  $ paasmaker node --config paasmaker.yml
`,
    );
  addLoginCommands(program, context);
  addWorkspaceCommands(program, context);
  addAppCommands(program, context);
  addVersionCommands(program, context);
  addServiceCommands(program, context);
  addUserCommands(program, context);
  addRoleCommands(program, context);
  addJobCommands(program, context);
  addNodeCommands(program, context);
  addVersionActionCommands(program, context);
  addVersionScaleCommand(program, context);
  addInstanceCommands(program, context);
  addDeployCommands(program, context);
  addConfigCommands(program, context);
  addUpCommand(program, context);
  return program;
}

/**
 * Runs `paasmaker` with `argv` (the arguments after the program name) and resolves with its exit
 * code. Never throws and never prints a stack trace: every failure is one line on `stderr`.
 */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  const program = createProgram(io);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return EXIT.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.exitCode === 0) return EXIT.ok; // --help, --version
      return EXIT.usage; // commander has written its one-line message (or the help of a command group)
    }
    if (error instanceof CliError) {
      io.stderr.write(`error: ${oneLine(error.message)}\n`);
      return error.exitCode;
    }
    const message = error instanceof Error ? error.message : String(error);
    io.stderr.write(
      `error: ${oneLine(message)} (unexpected: please report it; PAASMAKER_DEBUG=1 shows the stack)\n`,
    );
    if (io.env.PAASMAKER_DEBUG && error instanceof Error && error.stack) io.stderr.write(`${error.stack}\n`);
    return EXIT.error;
  }
}
