import type { Logger } from 'pino';
import type { InferFromSchema, JsonObject, JsonSchema, JsonSchemaObject, JsonValue } from '../json-schema';

/**
 * One job of a tree to create: its type, parameters and the node that runs it, with the jobs
 * that must succeed before it (children run first, in parallel). A JSON object type (not an
 * interface), so specs can be a job's parameters.
 */
export type JobSpec = {
  /** A job type registered on `hooks.jobType`. */
  type: string;
  /** Checked against the job type's `parametersSchema` when the tree is created. */
  parameters?: JsonObject;
  /** One line for people; defaults to the type. */
  title?: string;
  /** The node that runs the job; defaults to the node creating the tree. */
  node?: string;
  children?: JobSpec[];
};

/**
 * Everything a job handler receives when its job starts. `P` is the type of its parameters;
 * {@link defineJobType} infers it from the job type's `parametersSchema`.
 */
export interface JobRun<P = JsonObject> {
  jobId: string;
  /** The root job's id, which is also the tree's id. */
  treeId: string;
  /** The parent job's id; absent for the root. */
  parentId?: string;
  /** The node running the job. */
  nodeId: string;
  /** The job's parameters, validated against the job type's `parametersSchema`, defaults applied. */
  parameters: P;
  /** The tree's shared context as it was when this job started. */
  context: Readonly<JsonObject>;
  /** Results of this job's children, keyed by child job id. */
  childResults: Readonly<Record<string, JsonValue>>;
  /** Aborted when the tree is aborted; stop promptly (the job is recorded ABORTED after a grace period). */
  signal: AbortSignal;
  /** Writes to this job's log file. */
  log: Logger;
  /**
   * Adds jobs under a job of this tree that has not started yet (typically this job's parent),
   * which then waits for them too. Resolves with the new jobs' ids, in the order given
   * (depth first). Fails with `E_JOB_GRAFT` if that job already started.
   */
  graft(parentId: string, children: JobSpec[]): Promise<string[]>;
}

/** What a successful job hands back. */
export interface JobOutcome {
  /** The job's own result, readable by its parent. */
  result?: JsonValue;
  /** Keys merged into the tree's shared context (later writers win). */
  context?: JsonObject;
  /** One line for people; defaults to "Completed." */
  summary?: string;
}

/**
 * The handler for one job type. Registered on `hooks.jobType`. Rejecting fails the job (and
 * aborts its tree). `P` is the type of its parameters: write one with {@link defineJobType} to
 * have it inferred from `parametersSchema`; the hook holds any job type as `JobTypeProvider`.
 */
export interface JobTypeProvider<P = JsonObject> {
  /** JSON Schema the job's parameters must match when the tree is created (defaults are applied). */
  parametersSchema: JsonSchema;
  /** Runs one job; resolve with its outcome (or nothing), reject to fail it. */
  run(job: JobRun<P>): Promise<JobOutcome | undefined>;
}

/** What {@link defineJobType} takes: a {@link JobTypeProvider} whose parameters schema is `S`. */
export interface JobTypeDeclaration<S extends JsonSchemaObject> extends JobTypeProvider<InferFromSchema<S>> {
  readonly parametersSchema: S;
}

/**
 * Declares a job type. The parameters schema is written once; `run` sees `job.parameters` typed
 * from it (a property is present when it is `required` or has a `default`).
 *
 * ```ts
 * kernel.hooks.jobType.for('acme.job.resize').tap('acme.jobs', () =>
 *   defineJobType({
 *     parametersSchema: {
 *       type: 'object',
 *       properties: { count: { type: 'integer' }, note: { type: 'string' } },
 *       required: ['count'],
 *     },
 *     async run(job) {
 *       return { result: job.parameters.count * 2 }; // count: number, note: string | undefined
 *     },
 *   }),
 * );
 * ```
 */
export function defineJobType<const S extends JsonSchemaObject>(
  declaration: JobTypeDeclaration<S>,
): JobTypeProvider<InferFromSchema<S>> {
  return declaration;
}
