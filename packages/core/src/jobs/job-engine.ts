import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Logger } from 'pino';
import { PaasmakerError } from '../kernel/errors';
import type { Kernel } from '../kernel/kernel';
import type { JobSpec } from '../kernel/providers/job-type-provider';
import { jobEndMessage } from './job-end-message';
import { JobExecutor } from './job-executor';
import { installJobFailureTrap } from './job-failure-trap';
import { rereadMissedEvents } from './job-missed-events';
import { JobNodeLease } from './job-node-lease';
import type { JobEvent, JobRecord, JobStore, TreeQuery, TreeRecord, TreeSummary } from './job-store';
import { type JobTags, toTagStrings } from './job-tags';
import { assignsOtherNodes, JobTreeBuilder } from './job-tree-builder';
import { waitForTree } from './job-tree-waiter';
import { JobLogFiles } from './logs/job-log-files';
import { JobStreamServer, type NodeRequestHandler } from './logs/job-stream-server';
import type { SecretMasker } from './logs/secret-masker';

/** How to run a job engine on one node. */
export interface JobEngineOptions {
  /** The kernel whose `hooks.jobType` provides the job handlers. */
  kernel: Kernel;
  /** Where trees live: `createSqlJobStore()` on one machine, `createRedisJobStore()` in a cluster. */
  store: JobStore;
  /**
   * This node's id, stable across restarts (crash recovery uses it). Default `local`. One live
   * process per node id: another is refused while this one's lease runs.
   */
  nodeId?: string;
  /** Folder for this node's job logs. Default: `<tmpdir>/paasmaker/<nodeId>/job-logs`. */
  logDirectory?: string;
  /** Largest size of one job's log file, in bytes. Default 10 MiB. */
  maxLogBytes?: number;
  /** Secrets masked in every job log this node writes (the node's tokens and passwords). */
  logSecrets?: SecretMasker;
  /** How many jobs this node runs at once. Default 8. */
  concurrency?: number;
  /** How long an aborted job may take to stop before it is recorded ABORTED. Default 5 000 ms. */
  abortGraceMs?: number;
  /**
   * How often to re-read what an event may have been missed for (store outage, another process
   * on a SQLite file): ready jobs, aborts of running trees, and the trees `waitForTree` waits
   * for. Default 5 000 ms.
   */
  rescanIntervalMs?: number;
  /**
   * How long this node's lease on its RUNNING jobs lasts without renewal (renewed every third of
   * it). When it lapses — the process was killed or stalled — any live engine records those jobs
   * FAILED ("node <id> lost") and aborts their trees; until then another process is refused this
   * node id (`E_JOB_NODE_IN_USE`). Default 10 000 ms.
   */
  leaseMs?: number;
  /** URL of this node's job stream endpoint, so other nodes can relay its logs. */
  streamUrl?: string;
  logger?: Logger;
}

/** Options for creating a tree. */
export interface CreateTreeOptions {
  /** Tags to list the tree by: `{ workspace: 'w1' }` is stored as `workspace:w1`. */
  tags?: JobTags;
  /** Start running at once (default) or leave the jobs NEW until `startTree`. */
  start?: boolean;
}

/** A node's job engine: creates job trees and runs the jobs assigned to this node. */
export interface JobEngine {
  readonly nodeId: string;
  readonly store: JobStore;
  readonly logs: JobLogFiles;
  /** Creates a whole tree atomically (every id exists before anything runs); resolves with its id. */
  createTree(spec: JobSpec, options?: CreateTreeOptions): Promise<string>;
  /** Releases a tree created with `start: false`. */
  startTree(treeId: string): Promise<void>;
  /** The nodes jobs may be assigned to: this one and every node registered with the store. */
  knownNodes(): Promise<ReadonlySet<string>>;
  /** Aborts the tree `jobId` belongs to; `E_JOB_FINISHED` if it already finished. */
  abort(jobId: string, reason?: string): Promise<void>;
  /**
   * Resolves with the tree once its root finished and none of its jobs runs any more. Wakes on
   * the store's events, and also re-reads the tree after the events' connection comes back and
   * every `rescanIntervalMs`, so it never hangs on a missed event (or on SQLite, whose events do
   * not cross processes).
   */
  waitForTree(treeId: string, options?: { signal?: AbortSignal }): Promise<TreeRecord>;
  /** Creates a tree and waits for it; rejects with `E_JOB_FAILED` or `E_JOB_ABORTED` unless it succeeded. */
  run(spec: JobSpec, options?: Omit<CreateTreeOptions, 'start'>): Promise<TreeRecord>;
  getTree(treeId: string): Promise<TreeRecord>;
  getJob(jobId: string): Promise<JobRecord>;
  listTrees(query?: TreeQuery): Promise<{ trees: TreeSummary[]; total: number }>;
  /**
   * Calls `listener` for every event of every tree until the returned function is called; with
   * `treeEventsOnly`, for tree events only (all but the state changes of non-root jobs), which
   * lets the Redis store skip publishing every job's state change while nobody listens to them.
   */
  subscribe(
    listener: (event: JobEvent) => void,
    options?: { treeEventsOnly?: boolean },
  ): Promise<() => Promise<void>>;
  /**
   * Serves this node's job stream (job logs, relayed logs of other nodes, tree events) over
   * websockets and records its URL in the store, so that other nodes relay logs from here.
   * `port` 0 (the default) picks a free port; with `token`, clients must present it.
   */
  serveStreams(options?: {
    port?: number;
    host?: string;
    token?: string;
    /** Plain HTTP requests other than job logs (a heart's instance logs, say). */
    onRequest?: NodeRequestHandler;
  }): Promise<{ url: string }>;
  /** Deletes trees (and their logs on this node) that finished more than `maxAgeMs` ago; resolves with how many jobs went. */
  prune(maxAgeMs: number): Promise<number>;
  /** Stops running jobs (they are aborted), stops listening, and closes nothing it did not open. */
  close(): Promise<void>;
}

/**
 * Starts a job engine on this node: takes the node's lease (`E_JOB_NODE_IN_USE` while another
 * live process holds it), registers the node, marks jobs this node had RUNNING before a restart
 * as FAILED ("node restarted", aborting their trees), then runs every job that is or becomes
 * ready here. While it runs it renews the lease and fails the jobs of nodes whose lease lapsed,
 * and an error escaping a job's callbacks fails that job instead of the process.
 */
export async function createJobEngine(options: JobEngineOptions): Promise<JobEngine> {
  const { kernel, store } = options;
  const nodeId = options.nodeId ?? 'local';
  const log = (options.logger ?? kernel.log).child({ component: 'jobs', nodeId });
  const logs = new JobLogFiles({
    directory: options.logDirectory ?? path.join(tmpdir(), 'paasmaker', nodeId, 'job-logs'),
    maxBytes: options.maxLogBytes,
    secrets: options.logSecrets,
  });
  const builder = new JobTreeBuilder(kernel.hooks);
  let closed = false;
  const streamServers: JobStreamServer[] = [];

  const knownNodes = async (): Promise<ReadonlySet<string>> =>
    new Set([nodeId, ...Object.keys(await store.nodes())]);
  /** The nodes `specs` may be assigned to: the store is asked only when one names another node. */
  const nodesFor = async (specs: readonly JobSpec[]): Promise<ReadonlySet<string>> =>
    assignsOtherNodes(specs, nodeId) ? knownNodes() : new Set([nodeId]);
  const assertOpen = (): void => {
    if (closed)
      throw new PaasmakerError('E_JOB_ENGINE_CLOSED', `the job engine of node ${nodeId} is closed.`);
  };

  const graft = async (parentId: string, children: JobSpec[]): Promise<string[]> => {
    assertOpen();
    const jobs = builder.build(children, parentId, nodeId, await nodesFor(children));
    const ready = await store.graft(parentId, jobs, Date.now());
    executor.enqueueRefs(ready);
    return jobs.map((job) => job.id);
  };

  const executor = new JobExecutor({
    kernel,
    store,
    logs,
    nodeId,
    concurrency: options.concurrency ?? 8,
    abortGraceMs: options.abortGraceMs ?? 5_000,
    log,
    graft,
  });

  const rescanIntervalMs = options.rescanIntervalMs ?? 5_000;
  const lease = new JobNodeLease({
    store,
    nodeId,
    leaseMs: options.leaseMs ?? 10_000,
    log,
    onLost: () => void executor.close('Aborted: another process took this node over.'),
  });
  await store.init();
  await lease.acquire();
  await store.registerNode(nodeId, { streamUrl: options.streamUrl });
  const rereadLogged = (whenIdle = false): void => {
    rereadMissedEvents(store, executor, nodeId, { whenIdle }).catch((error: unknown) =>
      log.warn({ err: error }, 'could not re-read ready jobs and aborts'),
    );
  };
  const unsubscribe = await store.subscribe(
    (event) => {
      if (event.kind === 'ready') executor.enqueueRefs(event.jobs);
      else if (event.kind === 'aborted') executor.abortTree(event.treeId, event.summary);
      else if (event.kind === 'state' && kernel.hooks.jobStateChanged.isUsed()) {
        void kernel.hooks.jobStateChanged
          .promise({ ...event })
          .catch((error: unknown) => log.error({ err: error }, 'a jobStateChanged tap failed'));
      }
    },
    {
      onResubscribed: () => rereadLogged(),
      // Every job's state changes are needed only by jobStateChanged taps (made at setup).
      treeEventsOnly: !kernel.hooks.jobStateChanged.isUsed(),
    },
  );
  const recovered = await store.failRunningJobsOf(nodeId, 'Failed: node restarted.', Date.now());
  if (recovered.length)
    log.warn({ trees: recovered }, 'jobs this node was running before a restart were failed');
  await lease.failLapsedNodes();
  lease.start();
  const uninstallTrap = installJobFailureTrap();
  executor.enqueue(await store.readyJobs(nodeId));

  const rescan = setInterval(() => rereadLogged(true), rescanIntervalMs);
  rescan.unref();

  const engine: JobEngine = {
    nodeId,
    store,
    logs,
    knownNodes,
    async createTree(spec, createOptions = {}) {
      assertOpen();
      const jobs = builder.build([spec], null, nodeId, await nodesFor([spec]));
      const start = createOptions.start ?? true;
      const ready = await store.createTree({
        jobs,
        tags: toTagStrings(createOptions.tags),
        createdAt: Date.now(),
        start,
      });
      executor.enqueueRefs(ready);
      return (jobs[0] as { id: string }).id;
    },
    async startTree(treeId) {
      assertOpen();
      executor.enqueueRefs(await store.startTree(treeId));
    },
    async abort(jobId, reason = 'Aborted on request.') {
      assertOpen();
      const { treeId } = await store.abortTree(jobId, reason, Date.now());
      executor.abortTree(treeId, reason);
    },
    waitForTree: (treeId, waitOptions) =>
      waitForTree(store, treeId, { signal: waitOptions?.signal, rereadIntervalMs: rescanIntervalMs }),
    async run(spec, runOptions) {
      const treeId = await engine.createTree(spec, runOptions);
      const tree = await engine.waitForTree(treeId);
      const root = tree.jobs[0] as JobRecord;
      if (root.state === 'SUCCESS') return tree;
      const failed = tree.jobs.find((job) => job.state === 'FAILED');
      throw failed
        ? new PaasmakerError(
            'E_JOB_FAILED',
            `job tree ${treeId}: ${jobEndMessage(failed.title, 'FAILED', failed.summary)}`,
          )
        : new PaasmakerError('E_JOB_ABORTED', jobEndMessage(`job tree ${treeId}`, 'ABORTED', root.summary));
    },
    async getTree(treeId) {
      const tree = await store.getTree(treeId);
      if (!tree) throw new PaasmakerError('E_JOB_NOT_FOUND', `no job tree has id ${JSON.stringify(treeId)}.`);
      return tree;
    },
    async getJob(jobId) {
      const job = await store.getJob(jobId);
      if (!job) throw new PaasmakerError('E_JOB_NOT_FOUND', `no job has id ${JSON.stringify(jobId)}.`);
      return job;
    },
    listTrees: (query = {}) => store.listTrees(query),
    subscribe: (listener, subscribeOptions) =>
      store.subscribe(listener, { treeEventsOnly: subscribeOptions?.treeEventsOnly }),
    async serveStreams(streamOptions = {}) {
      assertOpen();
      const server = new JobStreamServer({ nodeId, logs, store, token: streamOptions.token, log });
      streamServers.push(server);
      const { url } = await server.listen(
        streamOptions.port ?? 0,
        streamOptions.host,
        streamOptions.onRequest,
      );
      await store.registerNode(nodeId, { streamUrl: url });
      return { url };
    },
    async prune(maxAgeMs) {
      const jobIds = await store.pruneFinishedTrees(Date.now() - maxAgeMs);
      await logs.remove(jobIds);
      return jobIds.length;
    },
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(rescan);
      await executor.close();
      await lease.release();
      uninstallTrap();
      for (const server of streamServers) await server.close();
      await unsubscribe();
    },
  };
  return engine;
}
