import type { Command } from 'commander';
import type { VersionAction } from './api-client';
import { type CliContext, leaf, parseId } from './context';
import { EXIT } from './errors';
import { followStarted } from './follow-started';

const ACTIONS: { name: VersionAction | 'delete'; description: string }[] = [
  { name: 'register', description: 'place the version on nodes and fetch its package there' },
  { name: 'start', description: 'start the instances of a registered version' },
  { name: 'stop', description: 'stop the instances of a running version' },
  { name: 'current', description: 'route the application to this version (starting it if needed)' },
  { name: 'deregister', description: 'remove a stopped version from its nodes' },
  { name: 'delete', description: 'delete a version that is not READY or RUNNING' },
];

const followOption = (command: Command) =>
  command.option('--no-follow', 'print the job tree id and return at once');

/** `version register|start|stop|current|deregister|delete` and `app rollback`, each following its tree. */
export function addVersionActionCommands(program: Command, context: CliContext): void {
  const group = (name: string) => {
    const found = program.commands.find((command) => command.name() === name);
    if (!found) throw new Error(`the ${name} command group must be added first`);
    return found;
  };
  const version = group('version');
  for (const action of ACTIONS)
    leaf(
      followOption(
        version
          .command(action.name)
          .description(`${action.description}; follows the job tree (exit ${EXIT.jobFailed} if it fails)`)
          .argument('<versionId>', 'version id'),
      ),
      [`paasmaker version ${action.name} 12`, `paasmaker version ${action.name} 12 --no-follow --json`],
    ).action(async (id: string, options: { follow?: boolean; json?: boolean }) => {
      const versionId = parseId(id, 'version id');
      const client = await context.client();
      const started =
        action.name === 'delete'
          ? await client.deleteVersion(versionId)
          : await client.versionAction(versionId, action.name);
      await followStarted(context, client, started, options, `version ${versionId}: ${action.name}`);
    });

  leaf(
    followOption(
      group('app')
        .command('rollback')
        .description(
          `make the version before the current one current again (no rebuild); follows the job tree (exit ${EXIT.jobFailed} if it fails)`,
        )
        .argument('<appId>', 'application id'),
    ),
    ['paasmaker app rollback 7', 'paasmaker app rollback 7 --no-follow'],
  ).action(async (id: string, options: { follow?: boolean; json?: boolean }) => {
    const applicationId = parseId(id, 'application id');
    const client = await context.client();
    await followStarted(
      context,
      client,
      await client.rollback(applicationId),
      options,
      `application ${applicationId}: rollback`,
    );
  });
}
