import type { Command } from 'commander';
import { isPaasmakerError } from '../kernel/errors';
import { createNode } from '../node/create-node';
import { formatFirstStart } from '../node/first-start';
import { loadNodeConfig } from '../node/node-config';
import type { NodeView } from './api-client';
import { type CliContext, details, leaf, table } from './context';
import { CliError, EXIT } from './errors';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const rolesText = (roles: Record<string, boolean>) =>
  Object.keys(roles)
    .filter((role) => roles[role])
    .join(',');

export function addNodeCommands(program: Command, context: CliContext): void {
  const node = program
    .command('node')
    .description(
      'run a Paasmaker node (its roles from a config file) until Ctrl-C or SIGTERM; or list and show the nodes of the cluster',
    )
    // Not a requiredOption: commander would then demand it of `node list` and `node show` too.
    .option('--config <file>', 'the node config file (YAML; see docs/node.md); required to run a node')
    .addHelpText(
      'after',
      '\nExamples:\n  $ paasmaker node --config paasmaker.yml\n  $ paasmaker node list\n  $ paasmaker node show <uuid>\n',
    );

  leaf(node.command('list').description('list the nodes of the cluster (needs NODE_LIST)'), [
    'paasmaker node list',
    'paasmaker node list --json',
  ]).action(async (options: { json?: boolean }) => {
    const nodes = await (await context.client()).listNodes();
    if (options.json) return context.json(nodes);
    if (!nodes.length) return context.print('No nodes.');
    for (const line of table(
      ['UUID', 'NAME', 'ROUTE', 'PORT', 'STATE', 'ROLES', 'SCORE', 'LAST HEARD'],
      nodes.map((n) => [
        n.uuid,
        n.name,
        n.route,
        n.apiPort,
        n.state,
        rolesText(n.roles),
        n.score,
        n.lastHeardAt,
      ]),
    ))
      context.print(line);
  });

  leaf(
    node
      .command('show')
      .description('show one node with the stats of its last report (needs NODE_DETAIL_VIEW)')
      .argument('<uuid>', 'node UUID'),
    ['paasmaker node show 0b5f9a3e-1c2d-4e5f-8a9b-0c1d2e3f4a5b', 'paasmaker node show <uuid> --json'],
  ).action(async (uuid: string, options: { json?: boolean }) => {
    if (!UUID.test(uuid))
      throw new CliError(`node uuid must be a UUID, not ${JSON.stringify(uuid)}`, EXIT.usage);
    showNode(context, await (await context.client()).getNode(uuid), options.json);
  });

  node.action(async (options: { config?: string }) => {
    if (options.config === undefined)
      throw new CliError("required option '--config <file>' not specified (see --help)", EXIT.usage);
    const node = await startNode(options.config);
    if (node.firstStart) context.print(formatFirstStart(node.firstStart));
    if (node.pacemaker) context.print(`node ${node.name}: pacemaker API at ${node.pacemaker.url}/api/v1`);
    const signal = await context.stopSignal();
    context.print(`node ${node.name}: ${signal} received, stopping`);
    await node.close();
  });
}

function showNode(context: CliContext, node: NodeView, json?: boolean): void {
  if (json) {
    context.json(node);
    return;
  }
  for (const line of details({ ...node, roles: rolesText(node.roles) })) context.print(line);
}

async function startNode(configFile: string) {
  try {
    return await createNode(await loadNodeConfig(configFile));
  } catch (error) {
    // Config and start-up problems are for the person at the terminal, in one line.
    if (isPaasmakerError(error)) throw new CliError(`${error.code}: ${error.message}`);
    throw error;
  }
}
