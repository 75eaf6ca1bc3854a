import type { Logger } from 'pino';
import type { KernelHooks } from '../kernel/kernel-hooks';
import type { NodeRoles } from '../model/node-repository';
import type { Heart } from '../roles/heart/heart-types';
import { NodeReporter } from './node-reporter';
import { readNodeUuid, writeNodeUuid } from './node-uuid-file';

/** What a heart node tells its pacemaker about itself. */
export interface HeartReporterOptions {
  pacemakerUrl: string;
  nodeToken: string;
  name: string;
  route: string;
  apiPort: number;
  roles: Partial<NodeRoles>;
  dataFolder: string;
  hooks: Pick<KernelHooks, 'runtime'>;
  heart: Heart;
  logger: Logger;
}

/** The runtimes this node's plugins offer, with the versions each can serve. */
async function offeredRuntimes(
  hooks: Pick<KernelHooks, 'runtime'>,
  logger: Logger,
): Promise<Record<string, string[]>> {
  const runtimes: Record<string, string[]> = {};
  for (const name of hooks.runtime.names()) {
    const runtime = hooks.runtime.find(name);
    if (!runtime) continue;
    try {
      runtimes[name] = await runtime.versions({ log: logger, signal: AbortSignal.timeout(10_000) });
    } catch (error) {
      logger.warn({ err: error, runtime: name }, 'runtime could not list its versions; not offered');
    }
  }
  return runtimes;
}

/**
 * Registers a heart node with its pacemaker (under the UUID kept in its data folder) and reports
 * its instances' states; every state change is reported at once. Resolves once registered.
 */
export async function startHeartReporter(options: HeartReporterOptions): Promise<NodeReporter> {
  const uuid = await readNodeUuid(options.dataFolder);
  const reporter = new NodeReporter({
    pacemakerUrl: options.pacemakerUrl,
    nodeToken: options.nodeToken,
    logger: options.logger,
    registration: {
      ...(uuid ? { uuid } : {}),
      name: options.name,
      route: options.route,
      apiPort: options.apiPort,
      roles: options.roles,
      runtimes: await offeredRuntimes(options.hooks, options.logger),
      tags: {},
      startedAt: new Date().toISOString(),
    },
    report: async () => ({
      score: Math.min(1, options.heart.instances().length / 100),
      instances: options.heart
        .instances()
        .map((instance) => ({ instanceId: instance.instanceId, state: instance.state })),
    }),
  });
  await reporter.start();
  if (reporter.uuid && reporter.uuid !== uuid) await writeNodeUuid(options.dataFolder, reporter.uuid);
  options.heart.onChange(() => reporter.reportSoon());
  return reporter;
}
