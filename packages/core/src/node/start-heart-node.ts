import path from 'node:path';
import type { Logger } from 'pino';
import { shellCommandsPlugin } from '../commands/shell-commands-plugin';
import { createJobEngine } from '../jobs/job-engine';
import { createRedisJobStore } from '../jobs/redis/redis-job-store';
import { createKernel } from '../kernel/kernel';
import type { PluginEntry } from '../kernel/plugin-entry';
import { packagePipelinePlugin } from '../packages/package-pipeline-plugin';
import { createHeart } from '../roles/heart/create-heart';
import type { Heart } from '../roles/heart/heart-types';
import { instanceLogRequestHandler } from '../roles/heart/instance-log-http';
import { API_PREFIX } from '../roles/pacemaker/pacemaker-api';
import type { TenantUsers } from '../tenancy/tenant-users';
import { startHeartReporter } from './heart-reporter';
import type { Closer } from './node-closers';
import type { HeartRoleConfig, NodeConfig } from './node-config-schema';
import { nodeLogSecrets } from './node-config-secrets';

/**
 * Starts a heart on a node of its own (a cluster): a kernel with the heart's job types, the shell
 * steps, the package fetcher and the config's plugins; a job engine on the Redis job store it
 * shares with its pacemaker, whose job log stream it serves; then the heart, registered with the
 * pacemaker over HTTP.
 */
export async function startHeartNode(
  config: NodeConfig,
  role: HeartRoleConfig & { pacemaker: NonNullable<HeartRoleConfig['pacemaker']> },
  logger: Logger,
  closers: Closer[],
  options: { plugins: readonly PluginEntry[]; tenants: TenantUsers },
): Promise<Heart> {
  const { plugins } = options;
  const { pacemaker } = role;
  const heart = createHeart({
    nodeName: config.name,
    dataFolder: config.dataFolder,
    portRange: role.ports,
    stopInstancesOnClose: role.stopInstancesOnClose,
    tenants: options.tenants,
    logger,
  });
  const kernel = await createKernel({
    plugins: [
      shellCommandsPlugin,
      packagePipelinePlugin({
        directory: path.join(config.dataFolder, 'packages'),
        publicUrl: `${pacemaker.url.replace(/\/+$/, '')}${API_PREFIX}/packages`,
        nodeToken: pacemaker.nodeToken,
      }),
      heart.plugin,
      ...config.plugins.map((entry) => ({ plugin: entry.plugin, options: entry.options })),
      ...plugins,
    ],
    logger,
    resolveFrom: config.baseDir,
    dataFolder: config.dataFolder,
  });
  closers.push({ name: 'kernel', close: () => kernel.close() });
  const store = createRedisJobStore({ url: pacemaker.jobStore, log: logger });
  closers.push({ name: 'job store', close: () => store.close() });
  // Tenant code may print what it should not know; job and instance logs mask the node's secrets.
  const logSecrets = nodeLogSecrets(config);
  const jobs = await createJobEngine({
    kernel,
    store,
    nodeId: config.name,
    logDirectory: path.join(config.dataFolder, 'job-logs'),
    logSecrets,
    logger,
  });
  closers.push({ name: 'job engine', close: () => jobs.close() });
  // The node's job stream server also serves its instances' logs to the pacemaker.
  const streams = await jobs.serveStreams({
    host: role.route,
    port: 0,
    token: pacemaker.nodeToken,
    onRequest: instanceLogRequestHandler(heart, logSecrets),
  });

  await heart.start();
  closers.push({ name: 'heart', close: () => heart.close() });
  const reporter = await startHeartReporter({
    pacemakerUrl: pacemaker.url,
    nodeToken: pacemaker.nodeToken,
    name: config.name,
    route: role.route,
    apiPort: Number(new URL(streams.url).port),
    roles: { heart: true },
    dataFolder: config.dataFolder,
    hooks: kernel.hooks,
    heart,
    logger,
  });
  closers.push({ name: 'node reporter', close: () => reporter.close() });
  return heart;
}
