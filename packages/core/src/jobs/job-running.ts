import type { Logger } from 'pino';
import type { JsonObject, JsonValue } from '../kernel/json-schema';
import type { JobRun, JobSpec } from '../kernel/providers/job-type-provider';
import type { JobScope } from './job-failure-trap';
import type { ClaimedJob } from './job-store';
import type { JobLogFiles, JobLogger } from './logs/job-log-files';

/** What a running job needs from the executor that runs it. */
export interface RunningJobHost {
  logs: JobLogFiles;
  graft(parentId: string, children: JobSpec[]): Promise<string[]>;
  /** An error escaped the handler's callbacks (see job-failure-trap.ts). */
  escaped(job: RunningJob, error: unknown): void;
}

/**
 * One job running on this node: what its handler sees, its log, its abort, and whether it
 * ended. A class rather than closures per job: an engine starts thousands of jobs a second.
 */
export class RunningJob implements JobScope {
  readonly jobId: string;
  readonly treeId: string;
  readonly type: string;
  /** What the handler receives. */
  readonly view: JobRun;
  /** Set once the job's final state is decided; later outcomes of its handler are ignored. */
  settled = false;
  /** Set once the handler settled, an error escaped it or its grace period ran out. */
  ended = false;
  graceTimer?: NodeJS.Timeout;
  #controller?: AbortController;
  #log?: JobLogger;

  constructor(
    claimed: ClaimedJob,
    private readonly host: RunningJobHost,
  ) {
    this.jobId = claimed.job.id;
    this.treeId = claimed.job.treeId;
    this.type = claimed.job.type;
    this.view = new JobRunView(this, claimed);
  }

  /** Made when the handler first reads it or the job is aborted: most jobs never need one. */
  get signal(): AbortSignal {
    this.#controller ??= new AbortController();
    return this.#controller.signal;
  }

  get aborted(): boolean {
    return this.#controller?.signal.aborted ?? false;
  }

  /** The message of the abort's reason (the summary the tree's other jobs got). */
  get abortReason(): string {
    return (this.#controller?.signal.reason as Error | undefined)?.message ?? '';
  }

  abort(reason: Error): void {
    this.#controller ??= new AbortController();
    this.#controller.abort(reason);
  }

  /** The job's logger; most jobs never log, so it (and its file) is made on first use. */
  openLog(): JobLogger {
    this.#log ??= this.host.logs.openLogger(this.jobId);
    return this.#log;
  }

  /** Whether the job opened its log. */
  get logged(): boolean {
    return this.#log !== undefined;
  }

  async closeLog(): Promise<void> {
    await this.#log?.close();
  }

  graft(parentId: string, children: JobSpec[]): Promise<string[]> {
    return this.host.graft(parentId, children);
  }

  /** An error escaped the handler's callbacks: the executor decides what it means now. */
  fail(error: unknown): void {
    this.host.escaped(this, error);
  }
}

/** What a job's handler receives; its signal and log are made when first read. */
class JobRunView implements JobRun {
  readonly jobId: string;
  readonly treeId: string;
  readonly parentId?: string;
  readonly nodeId: string;
  readonly parameters: JsonObject;
  readonly context: Readonly<JsonObject>;
  readonly childResults: Readonly<Record<string, JsonValue>>;
  readonly #job: RunningJob;

  constructor(job: RunningJob, claimed: ClaimedJob) {
    this.#job = job;
    this.jobId = claimed.job.id;
    this.treeId = claimed.job.treeId;
    this.parentId = claimed.job.parentId ?? undefined;
    this.nodeId = claimed.job.nodeId;
    this.parameters = claimed.job.parameters;
    this.context = claimed.context;
    this.childResults = claimed.childResults;
  }

  get signal(): AbortSignal {
    return this.#job.signal;
  }

  get log(): Logger {
    return this.#job.openLog().log;
  }

  graft(parentId: string, children: JobSpec[]): Promise<string[]> {
    return this.#job.graft(parentId, children);
  }
}
