import type { Command } from 'commander';
import { isPaasmakerError } from '../kernel/errors';
import { createNode } from '../node/create-node';
import { formatFirstStart } from '../node/first-start';
import { loadNodeConfig } from '../node/node-config';
import type { CliContext } from './context';
import { CliError } from './errors';

/** Resolves on the first SIGINT or SIGTERM. */
const stopSignal = () =>
  new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });

export function addNodeCommands(program: Command, context: CliContext): void {
  program
    .command('node')
    .description('run a Paasmaker node (its roles from a config file) until Ctrl-C or SIGTERM')
    .requiredOption('--config <file>', 'the node config file (YAML; see docs/node.md)')
    .addHelpText('after', '\nExamples:\n  $ paasmaker node --config paasmaker.yml\n')
    .action(async (options: { config: string }) => {
      const node = await startNode(options.config);
      if (node.firstStart) context.print(formatFirstStart(node.firstStart));
      if (node.pacemaker) context.print(`node ${node.name}: pacemaker API at ${node.pacemaker.url}/api/v1`);
      const signal = await stopSignal();
      context.print(`node ${node.name}: ${signal} received, stopping`);
      await node.close();
    });
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
