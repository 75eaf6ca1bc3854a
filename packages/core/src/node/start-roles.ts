import path from 'node:path';
import type { Logger } from 'pino';
import { apiKeyAuthPlugin } from '../auth/api-key-auth-plugin';
import { nodeTokenAuthPlugin, superTokenAuthPlugin } from '../auth/cluster-token-auth-plugins';
import { internalAuthPlugin } from '../auth/internal-auth-plugin';
import type { ScryptCost } from '../auth/password-hash';
import { shellCommandsPlugin } from '../commands/shell-commands-plugin';
import { createJobEngine, type JobEngine } from '../jobs/job-engine';
import type { JobStore } from '../jobs/job-store';
import { createRedisJobStore } from '../jobs/redis/redis-job-store';
import { createSqlJobStore } from '../jobs/sql/index';
import { PaasmakerError } from '../kernel/errors';
import { createKernel, type Kernel } from '../kernel/kernel';
import type { PluginEntry } from '../kernel/plugin-entry';
import { createModel, type Model } from '../model/create-model';
import { packagePipelinePlugin } from '../packages/package-pipeline-plugin';
import { uploadScmPlugin } from '../packages/upload-scm-plugin';
import { createHeart } from '../roles/heart/create-heart';
import { remoteHeartJobsPlugin } from '../roles/heart/heart-plugin';
import type { Heart } from '../roles/heart/heart-types';
import { CronScheduler } from '../roles/pacemaker/cron/cron-scheduler';
import { defaultPlacementPlugin } from '../roles/pacemaker/deploy/default-placement';
import { deployPlugin } from '../roles/pacemaker/deploy/deploy-plugin';
import { routeReportedInstances } from '../roles/pacemaker/deploy/reported-instance-routing';
import { restoreRouting } from '../roles/pacemaker/deploy/restore-routing';
import { VersionActions } from '../roles/pacemaker/deploy/version-actions';
import type { VersionTrees } from '../roles/pacemaker/deploy/version-trees';
import { HEALTH_CHECKS, healthChecksPlugin } from '../roles/pacemaker/health/health-checks-plugin';
import { HealthManager } from '../roles/pacemaker/health/health-manager';
import { HealthSignals } from '../roles/pacemaker/health/health-signals';
import { NodeRegistry, probeNodeAddress } from '../roles/pacemaker/node-registry/node-registry';
import { API_PREFIX, createPacemakerApi, type PacemakerApi } from '../roles/pacemaker/pacemaker-api';
import { pacemakerAddress, routePacemaker } from '../roles/pacemaker/pacemaker-route';
import type { RoutingTablePublisher } from '../roles/router/nginx/redis-routing-publisher';
import type { NginxRouter } from '../roles/router/nginx/start-nginx-router';
import { type Router, startRouter } from '../roles/router/router';
import type { RouterStatsStore } from '../roles/router/router-stats-store';
import { RoutingTable } from '../roles/router/routing-table';
import { parametersServicePlugin } from '../services/parameters-service-plugin';
import type { TenantUsers } from '../tenancy/tenant-users';
import { createFirstAdmin, type FirstStart } from './first-start';
import { freePort } from './free-port';
import { startHeartReporter } from './heart-reporter';
import { startNginxRouterRole, startRoutingTablePublisher } from './nginx-router-role';
import type { Closer } from './node-closers';
import type { NodeConfig } from './node-config-schema';
import { nodeLogSecrets } from './node-config-secrets';
import { openRouterStatsStore } from './router-stats-role';
import { startHeartNode } from './start-heart-node';

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
  /** Deploys and version actions, each answering with the id of the job tree it started. */
  readonly actions: VersionActions;
  /** The routing table deploys write (and the built-in router reads). */
  readonly routing: RoutingTable;
  /** Runs the current versions' crons every minute. */
  readonly crons: CronScheduler;
  /** Runs the health checks (absent with `health.enabled: false`); see docs/health.md. */
  readonly health?: HealthManager;
  /** Where the API reads router stats: the routing table's Redis with nginx routers, else memory (the built-in router adds to it). */
  readonly routerStats: RouterStatsStore;
}

/** The roles a node runs. */
export interface RunningRoles {
  pacemaker?: RunningPacemaker;
  heart?: Heart;
  router?: Router;
  nginxRouter?: NginxRouter;
  firstStart?: FirstStart;
}

const writablePath = (dataFolder: string, name: string) => path.join(dataFolder, name);

/**
 * Starts the roles of a node, pushing each part on `closers` as it starts: a pacemaker with (in
 * the embedded layout) a heart and a router beside it, or a heart of its own that reports to a
 * remote pacemaker. A router needs the pacemaker in its node (its routing table is in memory).
 */
export async function startRoles(
  config: NodeConfig,
  logger: Logger,
  closers: Closer[],
  options: { passwordCost?: ScryptCost; plugins?: readonly PluginEntry[]; tenants: TenantUsers },
): Promise<RunningRoles> {
  const role = config.roles.pacemaker;
  const heartRole = config.roles.heart;
  const routerRole = config.roles.router;
  if (!role) {
    if (routerRole && !routerRole.nginx)
      throw new PaasmakerError(
        'E_NODE_START',
        'The built-in router needs the pacemaker role in the same node (its routing table lives there); add roles.pacemaker, or use roles.router.nginx.',
      );
    if (heartRole && !heartRole.pacemaker)
      throw new PaasmakerError(
        'E_NODE_START',
        'A heart without the pacemaker role needs roles.heart.pacemaker: its url, nodeToken and jobStore (a Redis URL).',
      );
    const running: RunningRoles = {};
    if (heartRole?.pacemaker)
      running.heart = await startHeartNode(
        config,
        { ...heartRole, pacemaker: heartRole.pacemaker },
        logger,
        closers,
        { plugins: options.plugins ?? [], tenants: options.tenants },
      );
    if (routerRole?.nginx)
      running.nginxRouter = await startNginxRouterRole(
        { ...routerRole, nginx: routerRole.nginx },
        config.dataFolder,
        logger,
        closers,
      );
    return running;
  }
  if (heartRole?.pacemaker)
    throw new PaasmakerError(
      'E_NODE_START',
      'roles.heart.pacemaker is for a heart on a node of its own; this node runs the pacemaker, so remove it.',
    );
  const { dataFolder } = config;
  const postgres = /^postgres(ql)?:\/\//.test(role.database);
  const model = await createModel(postgres ? { connection: role.database } : { filename: role.database });
  closers.push({ name: 'model', close: () => model.close() });

  const routing = new RoutingTable();
  const apiPort = role.api.port || (await freePort(role.api.host));
  const url = `http://${role.api.host}:${apiPort}`;
  const heart = heartRole
    ? createHeart({
        nodeName: config.name,
        dataFolder,
        portRange: heartRole.ports,
        stopInstancesOnClose: heartRole.stopInstancesOnClose,
        tenants: options.tenants,
        logger,
      })
    : undefined;

  let trees: VersionTrees | undefined;
  // Made once the table is restored; deploys wait for nginx routers through it (the built-in router reads `routing` itself).
  let publisher: RoutingTablePublisher | undefined;
  const health = role.health;
  const signals = new HealthSignals();
  const plugins: PluginEntry[] = [
    { plugin: superTokenAuthPlugin, options: { token: role.superToken } },
    { plugin: nodeTokenAuthPlugin, options: { token: role.nodeToken } },
    apiKeyAuthPlugin(model),
    internalAuthPlugin(model),
    shellCommandsPlugin,
    defaultPlacementPlugin,
    parametersServicePlugin,
    packagePipelinePlugin({
      directory: writablePath(dataFolder, 'packages'),
      publicUrl: `${url}${API_PREFIX}/packages`,
      nodeToken: role.nodeToken,
    }),
    { plugin: uploadScmPlugin, options: { uploadDirectory: writablePath(dataFolder, 'uploads') } },
    deployPlugin(
      {
        model,
        routing,
        clusterHostname: role.clusterHostname,
        workFolder: writablePath(dataFolder, 'work'),
        tenants: options.tenants,
        drainMs: role.drainMs,
        confirmRouting: async (signal) => {
          await publisher?.confirm({ timeoutMs: role.routerConfirmMs, signal });
        },
        // The job engine is made after the kernel; placement asks only once it runs.
        jobNodes: () => jobs.knownNodes(),
      },
      (built) => {
        trees = built;
      },
    ),
    healthChecksPlugin({
      model,
      routing,
      clusterHostname: role.clusterHostname,
      signals,
      failingAfterErrors: health.failingAfterErrors,
      replaceBackoff: { firstMs: health.replaceBackoffMs, maxMs: health.replaceBackoffMaxMs },
      jobs: () => jobs,
      trees: () => trees as VersionTrees,
    }),
    // Without a heart here, heart jobs still need their schemas to be created on this node.
    heart ? heart.plugin : remoteHeartJobsPlugin,
    ...config.plugins.map((entry) => ({ plugin: entry.plugin, options: entry.options })),
    ...(options.plugins ?? []),
  ];
  const kernel = await createKernel({
    plugins,
    logger,
    resolveFrom: config.baseDir,
    dataFolder: config.dataFolder,
  });
  closers.push({ name: 'kernel', close: () => kernel.close() });
  if (!trees) throw new PaasmakerError('E_NODE_START', 'The deploy plugin did not start.');

  const jobStore: JobStore =
    role.jobStore === 'sql'
      ? createSqlJobStore({ knex: model.knex, logger })
      : createRedisJobStore({ url: role.jobStore, log: logger });
  closers.push({ name: 'job store', close: () => jobStore.close() });
  // Tenant code may print what it should not know; job and instance logs mask the node's secrets.
  const logSecrets = nodeLogSecrets(config);
  const jobs = await createJobEngine({
    kernel,
    store: jobStore,
    nodeId: config.name,
    logDirectory: writablePath(dataFolder, 'job-logs'),
    logSecrets,
    logger,
  });
  closers.push({ name: 'job engine', close: () => jobs.close() });

  const reportedRouting = routeReportedInstances(model, routing, role.clusterHostname);
  const registry = new NodeRegistry({
    model,
    kernel,
    reportIntervalMs: role.nodeReportIntervalMs,
    // Missed reports before DOWN; the one before is INACTIVE.
    inactiveAfterMs: role.nodeReportIntervalMs * (health.downAfterReports - 1),
    downAfterMs: role.nodeReportIntervalMs * health.downAfterReports,
    onInstanceStates: async (changes) => {
      signals.instanceStates(changes);
      await reportedRouting(changes);
    },
    onReport: (result) => signals.reported(result),
    // The original refused a node it could not reach: it would get jobs and routes nobody serves.
    probe: probeNodeAddress,
  });
  registry.start();
  closers.push({ name: 'node registry', close: () => registry.close() });

  const admin = await createFirstAdmin(model, options.passwordCost);
  const actions = new VersionActions({ model, jobs, trees, pacemakerNode: config.name });
  const router = config.roles.router;
  const routerPort = router ? router.port || (await freePort(router.host)) : undefined;
  const publishTo = role.routingTable ?? router?.nginx?.redis;
  const routerStats = openRouterStatsStore(publishTo, logger, closers);
  const api = createPacemakerApi({
    kernel,
    model,
    jobs,
    nodes: registry,
    logger,
    deploy: {
      actions,
      uploadFolder: writablePath(dataFolder, 'uploads'),
      packageFolder: writablePath(dataFolder, 'packages'),
      clusterHostname: role.clusterHostname,
      publicUrl: (hostname) => `http://${hostname}${routerPort ? `:${routerPort}` : ''}/`,
      instanceLogFile: (uuid) => heart?.instance(uuid)?.logFile,
      logSecrets,
    },
    nodeToken: role.nodeToken,
    routerStats,
  });
  closers.push({ name: 'API', close: () => api.close() });
  await api.listen({ host: role.api.host, port: apiPort });
  logger.info({ url }, 'pacemaker API listening');

  const healthManager = health.enabled
    ? new HealthManager({ hooks: kernel.hooks, intervalMs: health.intervalMs, checks: health.checks, logger })
    : undefined;
  if (healthManager) {
    healthManager.start();
    // A heart that went DOWN is replaced at once, not at the next scheduled run.
    kernel.hooks.nodeStateChanged.tapPromise('paasmaker.pacemaker.health', async (change) => {
      if (change.to === 'DOWN') void healthManager.runSoon(HEALTH_CHECKS.downNodes);
    });
    closers.push({ name: 'health manager', close: () => healthManager.close() });
  }

  const crons = new CronScheduler({ model, jobs, logger });
  crons.start();
  closers.push({ name: 'cron scheduler', close: async () => crons.close() });

  const routed = await restoreRouting(model, routing, role.clusterHostname);
  logger.info({ routed }, 'routing table restored from the model');
  const unroutePacemaker = routePacemaker(routing, {
    clusterHostname: role.clusterHostname,
    nodeName: config.name,
    address: pacemakerAddress(role.api.host, heartRole?.route),
    port: apiPort,
  });
  if (publishTo) publisher = await startRoutingTablePublisher(routing, publishTo, logger, closers);
  // After the publisher's closer, so it runs first and the publisher's last write takes the route off.
  closers.push({ name: 'pacemaker route', close: async () => unroutePacemaker() });
  const pacemaker: RunningPacemaker = {
    url,
    model,
    kernel,
    jobStore,
    jobs,
    registry,
    api,
    actions,
    routing,
    crons,
    routerStats,
    ...(healthManager ? { health: healthManager } : {}),
  };
  const running: RunningRoles = { pacemaker, ...(admin ? { firstStart: { ...admin, url } } : {}) };

  if (heart && heartRole) {
    await heart.start();
    closers.push({ name: 'heart', close: () => heart.close() });
    const reporter = await startHeartReporter({
      pacemakerUrl: url,
      nodeToken: role.nodeToken,
      name: config.name,
      route: heartRole.route,
      apiPort,
      roles: { pacemaker: true, heart: true, router: Boolean(router) },
      dataFolder,
      hooks: kernel.hooks,
      heart,
      logger,
    });
    closers.push({ name: 'node reporter', close: () => reporter.close() });
    running.heart = heart;
  }
  if (router?.nginx) {
    const nginx = { ...router, port: routerPort ?? router.port, nginx: router.nginx };
    running.nginxRouter = await startNginxRouterRole(nginx, dataFolder, logger, closers);
  } else if (router && routerPort) {
    const started = await startRouter({
      table: routing,
      host: router.host,
      port: routerPort,
      logger,
      connectTimeoutMs: router.connectTimeoutMs,
      statsStore: routerStats,
    });
    closers.push({ name: 'router', close: () => started.close() });
    logger.info({ url: started.url }, 'router listening');
    running.router = started;
  }
  return running;
}
