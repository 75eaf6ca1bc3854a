import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { type Logger, pino } from 'pino';
import { apiKeyAuthPlugin } from '../auth/api-key-auth-plugin';
import { nodeTokenAuthPlugin, superTokenAuthPlugin } from '../auth/cluster-token-auth-plugins';
import { internalAuthPlugin } from '../auth/internal-auth-plugin';
import type { ScryptCost } from '../auth/password-hash';
import { createJobEngine, type JobEngine } from '../jobs/job-engine';
import type { JobStore } from '../jobs/job-store';
import { createRedisJobStore } from '../jobs/redis/redis-job-store';
import { createSqlJobStore } from '../jobs/sql/index';
import { isPaasmakerError, PaasmakerError } from '../kernel/errors';
import { createKernel, type Kernel } from '../kernel/kernel';
import type { PluginEntry } from '../kernel/plugin-entry';
import { createModel, type Model } from '../model/create-model';
import { NodeRegistry } from '../roles/pacemaker/node-registry/node-registry';
import { createPacemakerApi, type PacemakerApi } from '../roles/pacemaker/pacemaker-api';
import { createFirstAdmin, type FirstStart } from './first-start';
import type { NodeConfig, PacemakerRoleConfig } from './node-config-schema';

/** Options of {@link createNode} beyond the config. */
export interface CreateNodeOptions {
  /** Logger of the node; default a pino logger to stdout at the config's `logLevel`. */
  readonly logger?: Logger;
  /** scrypt cost of the first administrator's password hash; default the library's. Lower it only in tests. */
  readonly passwordCost?: ScryptCost;
}

/** The running pacemaker role of a node. */
export interface RunningPacemaker {
  /** The API's base URL, `http://127.0.0.1:42500`. */
  readonly url: string;
  readonly model: Model;
  readonly kernel: Kernel;
  readonly jobStore: JobStore;
  readonly jobs: JobEngine;
  readonly registry: NodeRegistry;
  readonly api: PacemakerApi;
}

/** A running node: the roles its config names. */
export interface PaasmakerNode {
  readonly name: string;
  readonly config: NodeConfig;
  readonly logger: Logger;
  /** Present when the config names the pacemaker role. */
  readonly pacemaker?: RunningPacemaker;
  /**
   * Set on a pacemaker's first start only (it had no users): the administrator that was created
   * and its random password. Show it once (`formatFirstStart`); it is not stored in clear.
   */
  readonly firstStart?: FirstStart;
  /** Stops every role, in the reverse order of starting; safe to call twice. */
  close(): Promise<void>;
}

type Closer = { name: string; close: () => Promise<void> };

async function closeAll(closers: Closer[], logger: Logger): Promise<void> {
  const failures: unknown[] = [];
  for (const closer of [...closers].reverse()) {
    try {
      await closer.close();
    } catch (error) {
      logger.error({ err: error }, `closing ${closer.name} failed`);
      failures.push(error);
    }
  }
  closers.length = 0;
  if (failures.length)
    throw new PaasmakerError('E_NODE_START', `Stopping the node failed: ${failures.map(String).join('; ')}`, {
      cause: new AggregateError(failures),
    });
}

async function startPacemaker(
  config: NodeConfig,
  role: PacemakerRoleConfig,
  logger: Logger,
  closers: Closer[],
  options: CreateNodeOptions,
): Promise<{ pacemaker: RunningPacemaker; firstStart?: FirstStart }> {
  const postgres = /^postgres(ql)?:\/\//.test(role.database);
  const model = await createModel(postgres ? { connection: role.database } : { filename: role.database });
  closers.push({ name: 'model', close: () => model.close() });

  const plugins: PluginEntry[] = [
    { plugin: superTokenAuthPlugin, options: { token: role.superToken } },
    { plugin: nodeTokenAuthPlugin, options: { token: role.nodeToken } },
    apiKeyAuthPlugin(model),
    internalAuthPlugin(model),
    ...config.plugins.map((entry) => ({ plugin: entry.plugin, options: entry.options })),
  ];
  const kernel = await createKernel({ plugins, logger, resolveFrom: config.baseDir });
  closers.push({ name: 'kernel', close: () => kernel.close() });

  const jobStore: JobStore =
    role.jobStore === 'sql'
      ? createSqlJobStore({ knex: model.knex, logger })
      : createRedisJobStore({ url: role.jobStore, log: logger });
  closers.push({ name: 'job store', close: () => jobStore.close() });
  const jobs = await createJobEngine({
    kernel,
    store: jobStore,
    nodeId: config.name,
    logDirectory: path.join(config.dataFolder, 'job-logs'),
    logger,
  });
  closers.push({ name: 'job engine', close: () => jobs.close() });

  const registry = new NodeRegistry({ model, kernel, reportIntervalMs: role.nodeReportIntervalMs });
  registry.start();
  closers.push({ name: 'node registry', close: () => registry.close() });

  const admin = await createFirstAdmin(model, options.passwordCost);

  const api = createPacemakerApi({ kernel, model, jobs, nodes: registry, logger });
  closers.push({ name: 'API', close: () => api.close() });
  const url = await api.listen({ host: role.api.host, port: role.api.port });
  logger.info({ url }, 'pacemaker API listening');

  const pacemaker = { url, model, kernel, jobStore, jobs, registry, api };
  return admin ? { pacemaker, firstStart: { ...admin, url } } : { pacemaker };
}

/**
 * Starts a node with the roles and plugins its config names (see `docs/node.md`). For the
 * pacemaker: the model, a kernel with the auth plugins (super and node token, API keys,
 * internal users) and the config's plugins, the job engine, the node registry and the HTTP API.
 * If any step fails, what had started is stopped again and the error is thrown
 * (`E_NODE_START` wrapping errors that are not already `PaasmakerError`s).
 */
export async function createNode(
  config: NodeConfig,
  options: CreateNodeOptions = {},
): Promise<PaasmakerNode> {
  const logger = (options.logger ?? pino({ level: config.logLevel })).child({ node: config.name });
  const closers: Closer[] = [];
  let pacemaker: RunningPacemaker | undefined;
  let firstStart: FirstStart | undefined;
  try {
    await mkdir(config.dataFolder, { recursive: true, mode: 0o700 });
    if (config.roles.pacemaker) {
      const started = await startPacemaker(config, config.roles.pacemaker, logger, closers, options);
      pacemaker = started.pacemaker;
      firstStart = started.firstStart;
    }
  } catch (error) {
    await closeAll(closers, logger).catch(() => undefined);
    if (isPaasmakerError(error)) throw error;
    throw new PaasmakerError(
      'E_NODE_START',
      `Node ${config.name} failed to start: ${(error as Error)?.message ?? String(error)}`,
      { cause: error },
    );
  }
  let closing: Promise<void> | undefined;
  return {
    name: config.name,
    config,
    logger,
    ...(pacemaker ? { pacemaker } : {}),
    ...(firstStart ? { firstStart } : {}),
    close() {
      closing ??= closeAll(closers, logger);
      return closing;
    },
  };
}
