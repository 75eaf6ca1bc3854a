import type { Logger } from 'pino';
import { PaasmakerError } from '../kernel/errors';
import type { Kernel } from '../kernel/kernel';
import type { JobOutcome, JobRun, JobSpec, JobTypeProvider } from '../kernel/providers/job-type-provider';
import { runInJobScope } from './job-failure-trap';
import { RunningJob, type RunningJobHost } from './job-running';
import { type ClaimedJob, type JobRef, type JobStore, relatedJobSummary } from './job-store';
import type { JobLogFiles, JobLogger } from './logs/job-log-files';
import { retryWhileUnavailable } from './store-retry';

/** What the executor needs from the engine around it. */
export interface JobExecutorOptions {
  kernel: Kernel;
  store: JobStore;
  logs: JobLogFiles;
  nodeId: string;
  concurrency: number;
  abortGraceMs: number;
  log: Logger;
  /** Grafts jobs under a job of a tree (validation lives in the engine). */
  graft(parentId: string, children: JobSpec[]): Promise<string[]>;
}

interface Success {
  jobId: string;
  treeId: string;
  outcome: JobOutcome | undefined;
}

/**
 * Runs the jobs assigned to one node, at most `concurrency` at once. A job runs only once the
 * store let this node claim it, so no other node or call can run it too. Store round trips are
 * batched: ready jobs are claimed together, and the successes of jobs that finish together are
 * recorded in one call that also claims the next jobs into the slots they free (their parents
 * first). Aborts reach running jobs through their `AbortSignal`; a job that has not stopped
 * `abortGraceMs` later is recorded ABORTED and its handler's outcome ignored.
 */
export class JobExecutor {
  private readonly queue: string[] = [];
  private readonly queued = new Set<string>();
  private readonly running = new Map<string, RunningJob>();
  private readonly closing = new AbortController();
  /** Slots taken: claims in flight, jobs running, successes waiting to be recorded. */
  private slots = 0;
  private successes: Success[] = [];
  private flushScheduled = false;
  /**
   * Trees with a failure being written to its job's log and not yet recorded: successes in them
   * wait, so none claims the next job of a tree that is about to be aborted.
   */
  private readonly failing = new Map<string, number>();
  private idleWaiters: (() => void)[] = [];

  /** What every running job shares: made once, not per job. */
  private readonly host: RunningJobHost;

  constructor(private readonly options: JobExecutorOptions) {
    const { concurrency, store } = options;
    this.batchSize = Math.max(1, store.overlapsCalls ? Math.ceil(concurrency / 2) : concurrency);
    this.host = {
      logs: options.logs,
      graft: options.graft,
      escaped: (job, error) => {
        if (job.settled || !this.running.has(job.jobId)) {
          options.log.error({ err: error, jobId: job.jobId }, 'an error escaped a job after it ended');
          return;
        }
        this.ended(job, undefined, error);
      },
    };
  }

  /** Jobs that may be ready on this node; each is claimed before it runs. */
  enqueue(jobIds: Iterable<string>): void {
    if (this.closing.signal.aborted) return;
    // Ids come from events and rescans too; a duplicate costs one refused claim at most.
    for (const jobId of jobIds) {
      if (this.queued.has(jobId) || this.running.has(jobId)) continue;
      this.queued.add(jobId);
      this.queue.push(jobId);
    }
    this.pump();
  }

  /** Enqueues the jobs of `refs` that belong to this node. */
  enqueueRefs(refs: readonly JobRef[]): void {
    const mine = refs.filter((ref) => ref.nodeId === this.options.nodeId).map((ref) => ref.jobId);
    if (mine.length) this.enqueue(mine);
  }

  /** Signals this node's running jobs of `treeId`, then records them ABORTED after the grace period. */
  abortTree(treeId: string, summary: string): void {
    for (const [jobId, job] of this.running) {
      if (job.treeId !== treeId || job.aborted) continue;
      job.abort(new PaasmakerError('E_JOB_ABORTED', summary));
      job.graceTimer = setTimeout(() => {
        // Settled first: the job then ends with this summary, not the abort's.
        void this.settleAborted(
          jobId,
          job,
          `Aborted: did not stop within ${this.options.abortGraceMs} ms of the abort.`,
        );
        this.ended(job, undefined, undefined);
      }, this.options.abortGraceMs);
    }
  }

  /** True while jobs are queued for at least every slot: a rescan would find nothing it needs now. */
  hasBacklog(): boolean {
    return this.queue.length >= this.options.concurrency;
  }

  /** The trees this node runs jobs of. */
  runningTreeIds(): Set<string> {
    return new Set([...this.running.values()].map((job) => job.treeId));
  }

  /**
   * Stops taking jobs, aborts the running ones (`reason` becomes their summary) and waits until
   * each has stopped or its grace period ran out.
   */
  async close(reason = 'Aborted: the node is shutting down.'): Promise<void> {
    this.queue.length = 0;
    this.queued.clear();
    for (const treeId of this.runningTreeIds()) this.abortTree(treeId, reason);
    this.closing.abort();
    if (this.slots === 0) return;
    await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  /**
   * Most jobs one store call claims or records. On a store that overlaps calls, half the slots,
   * so that two calls are in flight at once and the store works on one while this process
   * handles the reply of the other, instead of each waiting for the other in turn.
   */
  private readonly batchSize: number;

  private pump(): void {
    while (!this.closing.signal.aborted && this.queue.length > 0) {
      const free = this.options.concurrency - this.slots;
      if (free <= 0) return;
      const jobIds = this.take(Math.min(free, this.batchSize));
      this.slots += jobIds.length;
      void this.claim(jobIds);
    }
  }

  private take(count: number): string[] {
    const jobIds = this.queue.splice(0, count);
    for (const jobId of jobIds) this.queued.delete(jobId);
    return jobIds;
  }

  private release(count: number): void {
    this.slots -= count;
    if (this.slots === 0 && this.closing.signal.aborted) {
      for (const resolve of this.idleWaiters.splice(0)) resolve();
    }
    this.pump();
  }

  private async claim(jobIds: string[]): Promise<void> {
    let claimed: ClaimedJob[] = [];
    try {
      claimed = await this.options.store.claimMany(jobIds, this.options.nodeId, Date.now());
    } catch (error) {
      // The periodic rescan finds these jobs again once the store answers.
      this.options.log.warn({ err: error, jobIds }, 'could not claim jobs');
    }
    for (const job of claimed) this.start(job);
    this.release(jobIds.length - claimed.length);
  }

  private start(claimed: ClaimedJob): void {
    const running = new RunningJob(claimed, this.host);
    this.running.set(running.jobId, running);
    let handler: unknown;
    try {
      const provider = this.options.kernel.hooks.jobType.find(running.type);
      if (!provider)
        throw new Error(`job type "${running.type}" is not available on node ${this.options.nodeId}`);
      handler = runInJobScope(running, runHandler, provider, running.view);
    } catch (error) {
      this.ended(running, undefined, error === undefined ? new Error('the job threw undefined') : error);
      return;
    }
    void this.watch(running, handler);
  }

  /** Waits for a handler to settle (or not: an escaped error or an abort may end its job first). */
  private async watch(running: RunningJob, handler: unknown): Promise<void> {
    let outcome: JobOutcome | undefined;
    try {
      outcome = (await handler) as JobOutcome | undefined;
    } catch (error) {
      this.ended(running, undefined, error === undefined ? new Error('the job threw undefined') : error);
      return;
    }
    this.ended(running, outcome, undefined);
  }

  /**
   * A job ended: its handler settled, an error escaped the handler's callbacks (see
   * job-failure-trap.ts) or the grace period after an abort ran out, whichever came first. What
   * came later is ignored.
   */
  private ended(running: RunningJob, outcome: JobOutcome | undefined, failure: unknown): void {
    if (running.ended) return;
    running.ended = true;
    const succeeded = failure === undefined && !running.settled && !running.aborted;
    if (succeeded && !running.logged) {
      // Most jobs: a success, with no log to close first.
      running.settled = true;
      this.recordSuccess({ jobId: running.jobId, treeId: running.treeId, outcome });
      return;
    }
    void this.record(running, succeeded, outcome, failure).catch((error: unknown) => {
      this.options.log.error({ err: error, jobId: running.jobId }, 'job execution failed');
      this.finish(running.jobId, running);
      this.release(1);
    });
  }

  /** What follows the end of a job that logged, failed or was aborted (see {@link ended}). */
  private async record(
    running: RunningJob,
    succeeded: boolean,
    outcome: JobOutcome | undefined,
    failure: unknown,
  ): Promise<void> {
    const { jobId, treeId } = running;
    if (succeeded) {
      await running.closeLog();
      running.settled = true;
      this.recordSuccess({ jobId, treeId, outcome });
      return;
    }
    if (!running.settled) {
      if (running.aborted) {
        // The abort's reason is the summary the tree's other jobs got ("Aborted on request.").
        await this.settleAborted(jobId, running, running.abortReason);
      } else {
        // The log is complete before the failure is recorded (whoever sees the tree end can read
        // it); meanwhile the tree's successes here wait, so none claims its next job.
        this.failing.set(treeId, (this.failing.get(treeId) ?? 0) + 1);
        try {
          logFailure(running.openLog(), failure);
          await running.closeLog();
          await this.settleFailed(jobId, running, failure);
        } finally {
          this.failedRecorded(treeId);
        }
      }
    } else if (failure !== undefined) {
      logFailure(running.openLog(), failure);
    }
    await running.closeLog();
    this.finish(jobId, running);
    this.release(1);
  }

  private finish(jobId: string, running: RunningJob): void {
    clearTimeout(running.graceTimer);
    this.running.delete(jobId);
  }

  /** Successes of jobs finishing together are recorded in one call, after the current tick. */
  private recordSuccess(success: Success): void {
    this.successes.push(success);
    this.scheduleSuccesses();
  }

  private scheduleSuccesses(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    process.nextTick(() => {
      this.flushScheduled = false;
      const ready = this.successes.filter((success) => !this.failing.has(success.treeId));
      if (ready.length === 0) return;
      this.successes = this.successes.filter((success) => this.failing.has(success.treeId));
      for (let at = 0; at < ready.length; at += this.batchSize)
        void this.flushSuccesses(ready.slice(at, at + this.batchSize));
    });
  }

  private failedRecorded(treeId: string): void {
    const left = (this.failing.get(treeId) ?? 1) - 1;
    if (left > 0) {
      this.failing.set(treeId, left);
      return;
    }
    this.failing.delete(treeId);
    if (this.successes.some((success) => success.treeId === treeId)) this.scheduleSuccesses();
  }

  private async flushSuccesses(batch: Success[]): Promise<void> {
    const claimFor = this.closing.signal.aborted ? undefined : this.options.nodeId;
    const claimNext = claimFor ? this.take(batch.length) : [];
    let recorded: Awaited<ReturnType<JobStore['succeedMany']>> | undefined;
    try {
      recorded = await this.write(`the success of ${batch.length} job(s)`, () =>
        this.options.store.succeedMany(
          batch.map(({ jobId, outcome }) => ({
            jobId,
            outcome: {
              result: outcome?.result,
              context: outcome?.context,
              summary: outcome?.summary ?? 'Completed.',
            },
          })),
          Date.now(),
          { claimFor, claimNext, maxClaims: batch.length },
        ),
      );
    } catch (error) {
      this.options.log.error(
        { err: error, jobIds: batch.map((s) => s.jobId) },
        'could not record job successes',
      );
    }
    for (const { jobId } of batch) {
      const running = this.running.get(jobId);
      if (running) this.finish(jobId, running);
    }
    const claimed = recorded?.claimed ?? [];
    for (const result of recorded?.results ?? [])
      if (result.readyParent) this.enqueueRefs([result.readyParent]);
    if (claimed.length === batch.length) {
      // The claim budget ran out: the candidates not reached go back to the front of the queue.
      const reached = new Set(claimed.map((job) => job.job.id));
      const notReached = claimNext.filter((jobId) => !reached.has(jobId) && !this.queued.has(jobId));
      for (const jobId of notReached) this.queued.add(jobId);
      this.queue.unshift(...notReached);
    }
    for (const job of claimed) this.start(job);
    this.release(batch.length - claimed.length);
  }

  private async settleFailed(jobId: string, running: RunningJob, failure: unknown): Promise<void> {
    running.settled = true;
    const message = failure instanceof Error ? failure.message : String(failure);
    const aborted = await this.write(`the failure of job ${jobId}`, () =>
      this.options.store.fail(jobId, `Failed: ${message}`, Date.now()),
    );
    if (aborted) this.abortTree(aborted.treeId, relatedJobSummary);
  }

  private async settleAborted(jobId: string, running: RunningJob, summary: string): Promise<void> {
    if (running.settled) return;
    running.settled = true;
    await this.write(`the abort of job ${jobId}`, () =>
      this.options.store.markAborted(jobId, summary, Date.now()),
    );
  }

  private write<T>(what: string, write: () => Promise<T>): Promise<T | undefined> {
    return retryWhileUnavailable(write, { log: this.options.log, what, signal: this.closing.signal });
  }
}

function runHandler(provider: JobTypeProvider, run: JobRun): unknown {
  return provider.run(run);
}

function logFailure(jobLog: JobLogger, failure: unknown): void {
  jobLog.log.error({ err: failure }, `Failed: ${(failure as Error)?.message ?? String(failure)}`);
}
