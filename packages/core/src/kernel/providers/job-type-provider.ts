import type { Logger } from 'pino';
import type { JsonObject, JsonSchema, JsonValue } from '../json-schema';

/** Everything a job handler receives when its job starts. */
export interface JobRun {
  jobId: string;
  /** The root job's id, which is also the tree's id. */
  treeId: string;
  /** The job's parameters, validated against the job type's `parametersSchema`. */
  parameters: JsonObject;
  /** The tree's shared context as it was when this job started. */
  context: Readonly<JsonObject>;
  /** Results of this job's children, keyed by child job id. */
  childResults: Readonly<Record<string, JsonValue>>;
  /** Aborted when the tree is aborted; stop promptly (a hard stop follows a grace period). */
  signal: AbortSignal;
  /** Writes to this job's log file. */
  log: Logger;
}

/** What a successful job hands back. */
export interface JobOutcome {
  /** The job's own result, readable by its parent. */
  result?: JsonValue;
  /** Keys merged into the tree's shared context. */
  context?: JsonObject;
}

/** The handler for one job type. Registered on `hooks.jobType`. Rejecting fails the job. */
export interface JobTypeProvider {
  /** JSON Schema the job's parameters must match when the tree is created. */
  parametersSchema: JsonSchema;
  run(job: JobRun): Promise<JobOutcome | undefined>;
}
