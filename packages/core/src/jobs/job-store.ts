import type { JsonObject, JsonValue } from '../kernel/json-schema';
import type { JobState } from '../kernel/providers/lifecycle-events';

/** A job as it is inserted: the engine assigns ids and validates everything first. */
export interface NewJob {
  id: string;
  /** `null` for the root of a new tree. */
  parentId: string | null;
  nodeId: string;
  type: string;
  parameters: JsonObject;
  title: string;
}

/** A job and where it runs: enough to wake the node that must run it. */
export interface JobRef {
  jobId: string;
  nodeId: string;
}

/** A job as stored. Times are milliseconds since the epoch. */
export interface JobRecord {
  id: string;
  treeId: string;
  parentId: string | null;
  nodeId: string;
  type: string;
  parameters: JsonObject;
  title: string;
  state: JobState;
  /** One line saying how the job ended (or why it was aborted). */
  summary?: string;
  /** The job's result, once it succeeded with one. */
  result?: JsonValue;
  /** Children in the order they were added. */
  childIds: string[];
  createdAt: number;
  startedAt?: number;
  finishedAt?: number;
}

/** A whole tree: its jobs (root first, then depth-first in insertion order) and tags. */
export interface TreeRecord {
  treeId: string;
  tags: string[];
  /** The tree's shared context. */
  context: JsonObject;
  createdAt: number;
  /** True once the tree was aborted (by a failure or a user). */
  aborted: boolean;
  jobs: JobRecord[];
}

/** One line of a tree listing. */
export interface TreeSummary {
  treeId: string;
  /** The root job's type, title and state stand for the tree. */
  type: string;
  title: string;
  state: JobState;
  tags: string[];
  createdAt: number;
  finishedAt?: number;
}

/** A job claimed for running, with what its handler reads. */
export interface ClaimedJob {
  job: JobRecord;
  /** The tree's context when the job started. */
  context: JsonObject;
  /** Results of the job's children that succeeded with a result, keyed by child id. */
  childResults: Record<string, JsonValue>;
}

/** A change the store publishes, to every subscriber in every process using the store. */
export type JobEvent =
  /** Jobs were created: a new tree (`parentId` null) or a graft under `parentId`. */
  | { kind: 'created'; treeId: string; parentId: string | null; jobIds: string[] }
  /** A job changed state. */
  | {
      kind: 'state';
      treeId: string;
      jobId: string;
      parentId: string | null;
      nodeId: string;
      state: JobState;
      summary?: string;
    }
  /** Jobs became ready to run on their nodes (WAITING, every child SUCCESS, tree not aborted). */
  | { kind: 'ready'; treeId: string; jobs: JobRef[] }
  /** The tree was aborted; nodes must signal their `running` jobs of this tree. */
  | { kind: 'aborted'; treeId: string; summary: string; running: JobRef[] };

/** What aborting a tree did. */
export interface AbortResult {
  treeId: string;
  /** Jobs still RUNNING, which their nodes must now signal. */
  running: JobRef[];
}

/** What asking for a node's lease answered: held, or refused while another process holds it. */
export type NodeLease = { held: true } | { held: false; holder: string; expiresAt: number };

/** What {@link JobStore.failLapsedNodes} did. */
export interface LapsedNodes {
  /** Nodes whose lease lapsed: they are lost, and their lease is dropped. */
  nodeIds: string[];
  /** Trees aborted because a job of a lost node was RUNNING. */
  treeIds: string[];
}

/** How to subscribe to a store's events. */
export interface SubscribeOptions {
  /**
   * Called once the subscription listens again after its connection was lost (Redis pub/sub,
   * PostgreSQL LISTEN): events published meanwhile were missed, so re-read what matters.
   */
  onResubscribed?: () => void;
  /**
   * Only the events of whole trees: `created`, `ready`, `aborted` and the `state` events of
   * roots ({@link isTreeEvent}), which is what running and waiting for trees needs. While no
   * subscriber wants every job's state changes, a store may skip publishing them (the Redis store
   * does). Default false: every event.
   */
  treeEventsOnly?: boolean;
}

/** True for the events a `treeEventsOnly` subscriber gets: all but the state changes of non-root jobs. */
export function isTreeEvent(event: JobEvent): boolean {
  return event.kind !== 'state' || event.parentId === null;
}

/** Which trees to list: newest first. */
export interface TreeQuery {
  /** Only trees carrying this tag (`workspace:<id>`...). */
  tag?: string;
  offset?: number;
  /** How many trees at most; all of them when absent. */
  limit?: number;
}

/**
 * Where job trees live: Redis for clusters, SQL for one machine. Every state change is one
 * atomic operation, so that two nodes can never both start one job and a finished job never
 * changes state again. Every change is published to subscribers as {@link JobEvent}s (in every
 * process using the same store; SQLite's stay in the process) after it is recorded. Delivery is
 * best effort: events sent while a subscriber's connection is down are lost, which is why
 * subscribers are told when they listen again (`onResubscribed`) and engines re-read on a timer. Errors reaching the store's server are
 * `PaasmakerError`s with code `E_JOBS_UNAVAILABLE` naming the server.
 *
 * States: jobs are created NEW (or WAITING when `start` is true); `startTree` turns NEW into
 * WAITING; a WAITING job whose children all succeeded is ready; `claim` turns a ready job
 * RUNNING; it ends SUCCESS, FAILED or ABORTED. Failing a job aborts its tree: every NEW or
 * WAITING job of the tree becomes ABORTED at once, and the still-running jobs are returned (and
 * published) so their nodes can signal them.
 */
export interface JobStore {
  /** Where the store is, for messages: `redis://127.0.0.1:6400`, `sqlite:/data/jobs.db`. */
  readonly address: string;
  /**
   * True when the store's work runs in a server of its own (Redis), so that while it works on
   * one call the engine can handle the reply of another: the executor then keeps two smaller
   * batches in flight instead of one. False or absent when the work runs in this process
   * (SQLite), where more calls only cost more.
   */
  readonly overlapsCalls?: boolean;

  /** Makes sure the store's schema exists (SQL migrations; loading Lua scripts). Idempotent. */
  init(): Promise<void>;

  /**
   * Creates a tree atomically: `jobs[0]` is the root (`parentId` null) and every other job's
   * parent comes before it in the list. All jobs are NEW, or WAITING if `start` is true, in
   * which case the jobs that are ready (leaves) are returned and published as `ready`.
   * Publishes `created` first.
   */
  createTree(tree: { jobs: NewJob[]; tags: string[]; createdAt: number; start: boolean }): Promise<JobRef[]>;

  /** NEW -> WAITING for every NEW job of the tree; returns (and publishes) the ready jobs. */
  startTree(treeId: string): Promise<JobRef[]>;

  /**
   * Adds jobs under `parentId` atomically; `jobs` are ordered parents-first and the top ones
   * have `parentId` as parent. Fails with `E_JOB_GRAFT` unless that job is NEW or WAITING and the
   * tree is not aborted; `E_JOB_NOT_FOUND` if it does not exist. New jobs are NEW if the parent
   * is NEW, WAITING otherwise; returns (and publishes) those that are ready.
   */
  graft(parentId: string, jobs: NewJob[], createdAt: number): Promise<JobRef[]>;

  /**
   * WAITING -> RUNNING if the job is ready, assigned to `nodeId` and its tree is not aborted.
   * Returns undefined (and changes nothing) otherwise: another node or call claimed it, it is
   * not ready, or the tree was aborted.
   */
  claim(jobId: string, nodeId: string, now: number): Promise<ClaimedJob | undefined>;

  /**
   * RUNNING -> SUCCESS with `result`, merging `context` into the tree's context first. If the
   * parent is now ready (WAITING, all children SUCCESS) it is returned and published as
   * `ready` — unless the parent is assigned to `options.claimReadyParentFor`: then it is claimed
   * in the same atomic step (as {@link JobStore.claim} would, publishing its RUNNING state
   * instead of `ready`) and returned as `claimedParent`, saving the caller a round trip. If the
   * tree was aborted while the job ran, the job becomes ABORTED instead ("Aborted due to a
   * related job.") and its outcome is dropped (`recorded: false`). Does nothing and returns
   * `{ recorded: false }` if the job is not RUNNING.
   */
  succeed(
    jobId: string,
    outcome: { result?: JsonValue; context?: JsonObject; summary: string },
    now: number,
    options?: { claimReadyParentFor?: string },
  ): Promise<{ recorded: boolean; readyParent?: JobRef; claimedParent?: ClaimedJob }>;

  /**
   * Claims several jobs in one atomic step, each as {@link JobStore.claim} would; resolves
   * with those claimed, in the order given (ids that are not claimable are left out).
   */
  claimMany(jobIds: readonly string[], nodeId: string, now: number): Promise<ClaimedJob[]>;

  /**
   * Records several successes in one atomic step, each as {@link JobStore.succeed} does, in the
   * order given. Then, for node `options.claimFor`, claims up to `options.maxClaims` jobs (all
   * by default): first the parents this made ready that are assigned to that node (publishing
   * their RUNNING state instead of `ready`), then jobs from `options.claimNext`, as
   * {@link JobStore.claimMany} would. Resolves with one result per success, in order (with the
   * parent made ready when it was not claimed here), and the jobs claimed, parents first.
   */
  succeedMany(
    successes: readonly {
      jobId: string;
      outcome: { result?: JsonValue; context?: JsonObject; summary: string };
    }[],
    now: number,
    options?: { claimFor?: string; claimNext?: readonly string[]; maxClaims?: number },
  ): Promise<{ results: { recorded: boolean; readyParent?: JobRef }[]; claimed: ClaimedJob[] }>;

  /**
   * RUNNING -> FAILED with `summary`, then aborts the tree as {@link JobStore.abortTree} does
   * (summary "Aborted due to a related job." on the aborted jobs). Does not change a job that
   * is not RUNNING, but still aborts the tree.
   */
  fail(jobId: string, summary: string, now: number): Promise<AbortResult>;

  /**
   * Aborts the tree `jobId` belongs to: every NEW or WAITING job becomes ABORTED with
   * `summary`; marks the tree aborted; publishes the state changes and one `aborted` event.
   * Fails with `E_JOB_FINISHED` if the root already finished, `E_JOB_NOT_FOUND` if unknown.
   */
  abortTree(jobId: string, summary: string, now: number): Promise<AbortResult>;

  /**
   * RUNNING -> ABORTED with `summary` (a running job stopped after its tree was aborted). If
   * the tree is not aborted yet (a node stopping its jobs), it is aborted too, as
   * {@link JobStore.abortTree} does, so that no ancestor waits forever.
   */
  markAborted(jobId: string, summary: string, now: number): Promise<void>;

  /**
   * Crash recovery: every job RUNNING on `nodeId` becomes FAILED with `summary` and its tree is
   * aborted. Returns the ids of the trees aborted.
   */
  failRunningJobsOf(nodeId: string, summary: string, now: number): Promise<string[]>;

  /**
   * Takes or renews the lease of `nodeId` for `holder` (one process) until `expiresAt`: the
   * node's RUNNING jobs live as long as it does. Refused (nothing changed) while another holder's
   * lease has not lapsed at `now`. One atomic step, whatever the number of jobs.
   */
  leaseNode(nodeId: string, holder: string, expiresAt: number, now: number): Promise<NodeLease>;

  /** Drops the lease of `nodeId` if `holder` holds it (a node shutting down cleanly). */
  releaseNode(nodeId: string, holder: string): Promise<void>;

  /**
   * Every node whose lease lapsed at or before `now` is lost: its RUNNING jobs become FAILED
   * ("Failed: node <id> lost (its lease lapsed)."), their trees are aborted as by
   * {@link JobStore.fail}, and the lease is dropped. Any live engine may call it.
   */
  failLapsedNodes(now: number): Promise<LapsedNodes>;

  /** Ids of the jobs assigned to `nodeId` that are ready to run (for a node (re)starting). */
  readyJobs(nodeId: string): Promise<string[]>;

  getJob(jobId: string): Promise<JobRecord | undefined>;
  getTree(treeId: string): Promise<TreeRecord | undefined>;
  /** Trees newest first, with the total number matching. */
  listTrees(query: TreeQuery): Promise<{ trees: TreeSummary[]; total: number }>;

  /**
   * Deletes trees whose root finished before `finishedBefore` and that have no RUNNING job;
   * returns the ids of every job deleted (so their logs can be deleted too).
   */
  pruneFinishedTrees(finishedBefore: number): Promise<string[]>;

  /** Records a node and the URL of its job stream endpoint (for relaying logs). */
  registerNode(nodeId: string, info: { streamUrl?: string }): Promise<void>;
  /** Every registered node and its info. */
  nodes(): Promise<Record<string, { streamUrl?: string }>>;

  /**
   * Calls `listener` for every event (or, with `options.treeEventsOnly`, every tree event), from
   * any process, until the returned function is called; `options.onResubscribed` after a lost
   * connection listens again.
   */
  subscribe(listener: (event: JobEvent) => void, options?: SubscribeOptions): Promise<() => Promise<void>>;

  /** Closes connections; the store cannot be used afterwards. */
  close(): Promise<void>;
}

/** The summary of jobs aborted because another job of their tree failed or was aborted. */
export const relatedJobSummary = 'Aborted due to a related job.';

/** The summary of a job that was RUNNING on a node whose lease lapsed. */
export function lostNodeSummary(nodeId: string): string {
  return `Failed: node ${nodeId} lost (its lease lapsed).`;
}
