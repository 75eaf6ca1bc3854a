import { PaasmakerError } from '../../kernel/errors';
import {
  type AbortResult,
  type ClaimedJob,
  type JobEvent,
  type JobRecord,
  type JobRef,
  type JobStore,
  type LapsedNodes,
  type NewJob,
  type NodeLease,
  relatedJobSummary,
  type SubscribeOptions,
  type TreeQuery,
  type TreeRecord,
  type TreeSummary,
} from '../job-store';
import { abortLockedTree, finishedStates, finishRunningJob, lockJobTree } from './sql-job-aborts';
import {
  claimJob,
  claimJobs,
  type JobOutcome,
  type SucceedResult,
  succeedJob,
  succeedJobs,
} from './sql-job-claims';
import type { SqlJobConnection, SqlTransaction, SqlWork } from './sql-job-connection';
import { isDuplicateKeyError, toStoreError } from './sql-job-errors';
import { failLapsedNodes, failRunningJobsOf, leaseNode, releaseNode } from './sql-job-leases';
import { sqlJobTables } from './sql-job-migrations';
import { SqlJobQueries } from './sql-job-queries';
import { graftJobs, insertTree, startTreeJobs } from './sql-job-tree-writes';

const { jobs: JOBS, nodes: NODES } = sqlJobTables;

/** Jobs inserted at once from which the planner's statistics are refreshed (see `refreshStatistics`). */
const bulkInsertJobs = 1_000;

/**
 * The job store on a SQL database (SQLite for one machine, PostgreSQL for several): every
 * method is one transaction on a {@link SqlJobConnection}. A job is ready when it is WAITING,
 * `children_succeeded = children_total` and its tree is not aborted; those counters live on
 * each job, so claiming and succeeding are a few statements however big the tree.
 */
export class SqlJobStore implements JobStore {
  readonly address: string;
  private readonly queries: SqlJobQueries;
  private closed = false;

  constructor(private readonly db: SqlJobConnection) {
    this.address = db.address;
    this.queries = new SqlJobQueries(db.dialect);
  }

  async init(): Promise<void> {
    this.assertOpen();
    try {
      await this.db.migrate();
    } catch (error) {
      throw toStoreError(error, this.address);
    }
  }

  async createTree(tree: {
    jobs: NewJob[];
    tags: string[];
    createdAt: number;
    start: boolean;
  }): Promise<JobRef[]> {
    const ready = await this.write((tx) => insertTree(tx, tree), `tree ${tree.jobs[0]?.id}`);
    if (tree.jobs.length >= bulkInsertJobs) await this.db.refreshStatistics();
    return ready;
  }

  async startTree(treeId: string): Promise<JobRef[]> {
    return this.write((tx) => startTreeJobs(tx, treeId));
  }

  async graft(parentId: string, jobs: NewJob[], createdAt: number): Promise<JobRef[]> {
    const ready = await this.write(
      (tx) => graftJobs(tx, parentId, jobs, createdAt),
      `the jobs grafted under ${parentId}`,
    );
    if (jobs.length >= bulkInsertJobs) await this.db.refreshStatistics();
    return ready;
  }

  async claim(jobId: string, nodeId: string, now: number): Promise<ClaimedJob | undefined> {
    return this.write((tx) => claimJob(tx, jobId, nodeId, now));
  }

  async succeed(
    jobId: string,
    outcome: JobOutcome,
    now: number,
    options: { claimReadyParentFor?: string } = {},
  ): Promise<SucceedResult> {
    return this.write((tx) => succeedJob(tx, jobId, outcome, now, options.claimReadyParentFor));
  }

  async claimMany(jobIds: readonly string[], nodeId: string, now: number): Promise<ClaimedJob[]> {
    if (jobIds.length === 0) {
      this.assertOpen();
      return [];
    }
    return this.write((tx) => claimJobs(tx, jobIds, nodeId, now));
  }

  async succeedMany(
    successes: readonly { jobId: string; outcome: JobOutcome }[],
    now: number,
    options: { claimFor?: string; claimNext?: readonly string[]; maxClaims?: number } = {},
  ): Promise<{ results: { recorded: boolean; readyParent?: JobRef }[]; claimed: ClaimedJob[] }> {
    return this.write((tx) => succeedJobs(tx, successes, now, options));
  }

  async fail(jobId: string, summary: string, now: number): Promise<AbortResult> {
    return this.write(async (tx) => {
      const job = await lockJobTree(tx, jobId);
      if (!job) throw new PaasmakerError('E_JOB_NOT_FOUND', `cannot fail job ${jobId}: no job has that id.`);
      await finishRunningJob(tx, job, 'FAILED', summary, now);
      // A tree already aborted had its running jobs announced then; do not signal them twice.
      const running = await abortLockedTree(tx, job.treeId, relatedJobSummary, now, !job.treeAborted);
      return { treeId: job.treeId, running };
    });
  }

  async abortTree(jobId: string, summary: string, now: number): Promise<AbortResult> {
    return this.write(async (tx) => {
      const job = await lockJobTree(tx, jobId);
      if (!job)
        throw new PaasmakerError(
          'E_JOB_NOT_FOUND',
          `cannot abort the tree of job ${jobId}: no job has that id.`,
        );
      const [root] = await tx.all<{ state: JobRecord['state'] }>(`SELECT state FROM ${JOBS} WHERE id = ?`, [
        job.treeId,
      ]);
      if (root && finishedStates.has(root.state)) {
        throw new PaasmakerError(
          'E_JOB_FINISHED',
          `cannot abort job tree ${job.treeId} (of job ${jobId}): it already finished (its root is ${root.state}).`,
        );
      }
      const running = await abortLockedTree(tx, job.treeId, summary, now, true);
      return { treeId: job.treeId, running };
    });
  }

  async markAborted(jobId: string, summary: string, now: number): Promise<void> {
    await this.write(async (tx) => {
      const job = await lockJobTree(tx, jobId);
      if (!job || !(await finishRunningJob(tx, job, 'ABORTED', summary, now))) return;
      // A job stopped while its tree still runs (its node shut down): the tree cannot succeed any more.
      if (!job.treeAborted) await abortLockedTree(tx, job.treeId, relatedJobSummary, now, true);
    });
  }

  async failRunningJobsOf(nodeId: string, summary: string, now: number): Promise<string[]> {
    return this.write((tx) => failRunningJobsOf(tx, [nodeId], () => summary, now));
  }

  leaseNode(nodeId: string, holder: string, expiresAt: number, now: number): Promise<NodeLease> {
    return this.write((tx) => leaseNode(tx, nodeId, holder, expiresAt, now));
  }

  releaseNode(nodeId: string, holder: string): Promise<void> {
    return this.write((tx) => releaseNode(tx, nodeId, holder));
  }

  failLapsedNodes(now: number): Promise<LapsedNodes> {
    return this.write((tx) => failLapsedNodes(tx, now));
  }

  readyJobs(nodeId: string): Promise<string[]> {
    return this.read((tx) => this.queries.readyJobs(tx, nodeId));
  }

  getJob(jobId: string): Promise<JobRecord | undefined> {
    return this.read((tx) => this.queries.getJob(tx, jobId));
  }

  getTree(treeId: string): Promise<TreeRecord | undefined> {
    return this.read((tx) => this.queries.getTree(tx, treeId));
  }

  listTrees(query: TreeQuery): Promise<{ trees: TreeSummary[]; total: number }> {
    return this.read((tx) => this.queries.listTrees(tx, query));
  }

  async pruneFinishedTrees(finishedBefore: number): Promise<string[]> {
    return this.write((tx) => this.queries.pruneFinishedTrees(tx, finishedBefore));
  }

  async registerNode(nodeId: string, info: { streamUrl?: string }): Promise<void> {
    await this.write(async (tx) => {
      await tx.run(
        `INSERT INTO ${NODES} (node_id, info, updated_at) VALUES (?, ?, ?) ` +
          'ON CONFLICT (node_id) DO UPDATE SET info = excluded.info, updated_at = excluded.updated_at',
        [nodeId, JSON.stringify(info), Date.now()],
      );
    });
  }

  nodes(): Promise<Record<string, { streamUrl?: string }>> {
    return this.read((tx) => this.queries.nodes(tx));
  }

  async subscribe(
    listener: (event: JobEvent) => void,
    options?: SubscribeOptions,
  ): Promise<() => Promise<void>> {
    this.assertOpen();
    try {
      return await this.db.subscribe(listener, options);
    } catch (error) {
      throw toStoreError(error, this.address);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.db.close();
  }

  private assertOpen(): void {
    if (this.closed) {
      throw new PaasmakerError(
        'E_JOBS_UNAVAILABLE',
        `the job store at ${this.address} was closed; open a new one.`,
      );
    }
  }

  /** One write transaction; `inserting` names what a duplicate id error is about. */
  private async write<T>(work: SqlWork<T>, inserting?: string): Promise<T> {
    this.assertOpen();
    try {
      return await this.db.transaction(work);
    } catch (error) {
      if (inserting && isDuplicateKeyError(error)) {
        throw new PaasmakerError(
          'E_JOB_TREE_INVALID',
          `cannot store ${inserting}: a job id is already in use; give every job a new id.`,
          { cause: error },
        );
      }
      throw toStoreError(error, this.address);
    }
  }

  private async read<T>(work: (tx: SqlTransaction) => Promise<T>): Promise<T> {
    this.assertOpen();
    try {
      return await this.db.transaction(work, { readOnly: true });
    } catch (error) {
      throw toStoreError(error, this.address);
    }
  }
}
