import type { Command } from 'commander';
import type { ApiClient } from './api-client';
import { type CliContext, leaf, parseId } from './context';
import { CliError, EXIT } from './errors';
import { followStarted } from './follow-started';

/** The id of the version's instance type named `nameOrId` (or with that id). */
async function instanceTypeId(client: ApiClient, versionId: number, nameOrId: string): Promise<number> {
  const types = await client.request('get', '/api/v1/versions/{versionId}/instance-types', {
    params: { versionId },
  });
  const found = types.find((type) => type.name === nameOrId || String(type.id) === nameOrId);
  if (!found)
    throw new CliError(
      `version ${versionId} has no instance type ${nameOrId} (it has: ${types.map((type) => type.name).join(', ') || 'none'})`,
      EXIT.usage,
    );
  return found.id;
}

function parseQuantity(value: string): number {
  const quantity = Number(value);
  if (!/^\d+$/.test(value) || quantity < 1)
    throw new CliError(`quantity must be a whole number of at least 1, not ${value}`, EXIT.usage);
  return quantity;
}

/** `version scale <versionId> <instanceType> <quantity>`, following the tree it starts. */
export function addVersionScaleCommand(program: Command, context: CliContext): void {
  const version = program.commands.find((command) => command.name() === 'version');
  if (!version) throw new Error('the version command group must be added first');
  leaf(
    version
      .command('scale')
      .description(
        `set how many instances of an instance type the version runs; a running version starts or stops instances at once and the job tree is followed (exit ${EXIT.jobFailed} if it fails)`,
      )
      .argument('<versionId>', 'version id')
      .argument('<instanceType>', 'instance type name (as in the manifest) or id')
      .argument('<quantity>', 'number of instances, at least 1')
      .option('--no-follow', 'print the job tree id and return at once'),
    ['paasmaker version scale 12 web 3', 'paasmaker version scale 12 web 1 --no-follow --json'],
  ).action(async (id: string, type: string, count: string, options: { follow?: boolean; json?: boolean }) => {
    const versionId = parseId(id, 'version id');
    const quantity = parseQuantity(count);
    const client = await context.client();
    const scaled = await client.request(
      'patch',
      '/api/v1/versions/{versionId}/instance-types/{instanceTypeId}',
      {
        params: { versionId, instanceTypeId: await instanceTypeId(client, versionId, type) },
        body: { quantity },
      },
    );
    const headline = `version ${versionId}: ${type} scaled to ${scaled.quantity}`;
    if (scaled.treeId) await followStarted(context, client, { treeId: scaled.treeId }, options, headline);
    else if (options.json) context.json(scaled);
    else context.print(`${headline}; it starts that many when the version next starts.`);
  });
}
