import type { Logger } from 'pino';
import { PaasmakerError } from '../kernel/errors';
import type { Kernel } from '../kernel/kernel';
import type { JobOutcome, JobSpec } from '../kernel/providers/job-type-provider';
import type { ClaimedJob, JobRef, JobStore } from './job-store';
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

interface RunningJob {
  treeId: string;
  controller: AbortController;
  /** Set once the job's final state is decided; later outcomes of its handler are ignored. */
  settled: boolean;
  graceTimer?: NodeJS.Timeout;
  /** Resolves when the grace period after an abort ran out: the executor stops waiting. */
  gaveUp: Promise<void>;
  giveUp: () => void;
}

/**
 * Runs the jobs assigned to one node: takes ready job ids, claims each in the store (so no
 * other node or call can run it), runs its handler with at most `concurrency` at once, and
 * records the outcome. Aborts reach running jobs through their `AbortSignal`; a job that has
 * not stopped `abortGraceMs` later is recorded ABORTED and its handler's outcome ignored.
 */
export class JobExecutor {
  private readonly queue: string[] = [];
  private readonly queued = new Set<string>();
  private readonly running = new Map<string, RunningJob>();
  private readonly closing = new AbortController();
  private active = 0;
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly options: JobExecutorOptions) {}

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
      if (job.treeId !== treeId || job.controller.signal.aborted) continue;
      job.controller.abort(new PaasmakerError('E_JOB_ABORTED', summary));
      job.graceTimer = setTimeout(() => {
        job.giveUp();
        void this.settleAborted(
          jobId,
          job,
          `Aborted: did not stop within ${this.options.abortGraceMs} ms of the abort.`,
        );
      }, this.options.abortGraceMs);
    }
  }

  /**
   * Stops taking jobs, aborts the running ones (`reason` becomes their summary) and waits until
   * each has stopped or its grace period ran out.
   */
  async close(reason = 'Aborted: the node is shutting down.'): Promise<void> {
    this.queue.length = 0;
    this.queued.clear();
    for (const treeId of new Set([...this.running.values()].map((job) => job.treeId)))
      this.abortTree(treeId, reason);
    this.closing.abort();
    if (this.active === 0) return;
    await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  private pump(): void {
    while (this.active < this.options.concurrency && this.queue.length > 0) {
      const jobId = this.queue.shift() as string;
      this.queued.delete(jobId);
      this.active += 1;
      void this.claimAndRun(jobId)
        .catch((error: unknown) => this.options.log.error({ err: error, jobId }, 'job execution failed'))
        .finally(() => {
          this.active -= 1;
          if (this.active === 0 && this.closing.signal.aborted) {
            for (const resolve of this.idleWaiters.splice(0)) resolve();
          }
          this.pump();
        });
    }
  }

  private async claimAndRun(jobId: string): Promise<void> {
    const { store, nodeId } = this.options;
    let claimed = await store.claim(jobId, nodeId, Date.now());
    // A job whose success makes its parent ready here hands that parent over, already claimed.
    while (claimed) claimed = await this.runClaimed(claimed);
  }

  private async runClaimed(claimed: ClaimedJob): Promise<ClaimedJob | undefined> {
    const jobId = claimed.job.id;
    let giveUp = (): void => {};
    const gaveUp = new Promise<void>((resolve) => {
      giveUp = resolve;
    });
    const running: RunningJob = {
      treeId: claimed.job.treeId,
      controller: new AbortController(),
      settled: false,
      gaveUp,
      giveUp,
    };
    this.running.set(jobId, running);
    try {
      return await this.run(claimed, running);
    } finally {
      clearTimeout(running.graceTimer);
      this.running.delete(jobId);
    }
  }

  private async run(claimed: ClaimedJob, running: RunningJob): Promise<ClaimedJob | undefined> {
    const { job } = claimed;
    // Most jobs never log: their logger (and log file) is made on first use.
    let jobLog: JobLogger | undefined;
    const openLog = (): JobLogger => {
      jobLog ??= this.options.logs.openLogger(job.id);
      return jobLog;
    };
    let outcome: JobOutcome | undefined;
    let failure: unknown;
    try {
      const provider = this.options.kernel.hooks.jobType.find(job.type);
      if (!provider)
        throw new Error(`job type "${job.type}" is not available on node ${this.options.nodeId}`);
      const handler = provider.run({
        jobId: job.id,
        treeId: job.treeId,
        parentId: job.parentId ?? undefined,
        nodeId: job.nodeId,
        parameters: job.parameters,
        context: claimed.context,
        childResults: claimed.childResults,
        signal: running.controller.signal,
        get log() {
          return openLog().log;
        },
        graft: (parentId, children) => this.options.graft(parentId, children),
      });
      outcome = await Promise.race([handler, running.gaveUp.then(() => undefined)]);
    } catch (error) {
      failure = error;
      openLog().log.error({ err: error }, `Failed: ${(error as Error)?.message ?? String(error)}`);
    } finally {
      await jobLog?.close();
    }
    if (running.settled) return undefined;
    if (running.controller.signal.aborted) {
      await this.settleAborted(
        job.id,
        running,
        `Aborted: ${(running.controller.signal.reason as Error).message}`,
      );
    } else if (failure !== undefined) {
      await this.settleFailed(job.id, running, failure);
    } else {
      return this.settleSucceeded(job.id, running, outcome);
    }
    return undefined;
  }

  /** Records the success; resolves with the parent if this made it ready here and claimed it. */
  private async settleSucceeded(
    jobId: string,
    running: RunningJob,
    outcome: JobOutcome | undefined,
  ): Promise<ClaimedJob | undefined> {
    running.settled = true;
    const claimReadyParentFor = this.closing.signal.aborted ? undefined : this.options.nodeId;
    const recorded = await this.write(`the success of job ${jobId}`, () =>
      this.options.store.succeed(
        jobId,
        { result: outcome?.result, context: outcome?.context, summary: outcome?.summary ?? 'Completed.' },
        Date.now(),
        { claimReadyParentFor },
      ),
    );
    if (recorded?.readyParent) this.enqueueRefs([recorded.readyParent]);
    return recorded?.claimedParent;
  }

  private async settleFailed(jobId: string, running: RunningJob, failure: unknown): Promise<void> {
    running.settled = true;
    const message = failure instanceof Error ? failure.message : String(failure);
    const aborted = await this.write(`the failure of job ${jobId}`, () =>
      this.options.store.fail(jobId, `Failed: ${message}`, Date.now()),
    );
    if (aborted) this.abortTree(aborted.treeId, 'Aborted due to a related job.');
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
