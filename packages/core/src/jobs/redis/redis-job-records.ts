import type { JsonObject, JsonValue } from '../../kernel/json-schema';
import type { JobState } from '../../kernel/providers/lifecycle-events';
import type { JobRecord, JobRef, NewJob } from '../job-store';

/** A flat HGETALL reply (`[field, value, ...]`) as an object. */
export function hashFromReply(flat: readonly string[]): Record<string, string> {
  const hash: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) hash[flat[i] as string] = flat[i + 1] as string;
  return hash;
}

/**
 * The fields of a job hash that the store reads with HMGET, in the order of the scripts'
 * positional replies (`JOB_FIELDS` in `lua/jobs/includes/job-helpers.lua`).
 */
export const jobFields = [
  'id',
  'treeId',
  'parentId',
  'nodeId',
  'type',
  'parameters',
  'title',
  'state',
  'createdAt',
  'summary',
  'result',
  'startedAt',
  'finishedAt',
  'nChildren',
  'nSucceeded',
] as const;

/** A job's fields in {@link jobFields} order; a missing field is `false` (Lua) or `null` (HMGET). */
export type JobFieldValues = readonly (string | false | null)[];

/** A job's fields (see {@link jobFields}) and its child ids as a {@link JobRecord}. */
export function jobFromFields(values: JobFieldValues, childIds: string[]): JobRecord {
  const [
    id,
    treeId,
    parentId,
    nodeId,
    type,
    parameters,
    title,
    state,
    createdAt,
    summary,
    result,
    startedAt,
    finishedAt,
  ] = values;
  const job: JobRecord = {
    id: id as string,
    treeId: treeId as string,
    parentId: parentId || null,
    nodeId: nodeId as string,
    type: type as string,
    parameters: JSON.parse(parameters || '{}') as JsonObject,
    title: title || '',
    state: state as JobState,
    childIds,
    createdAt: Number(createdAt),
  };
  if (typeof summary === 'string') job.summary = summary;
  if (typeof result === 'string') job.result = JSON.parse(result) as JsonValue;
  if (typeof startedAt === 'string') job.startedAt = Number(startedAt);
  if (typeof finishedAt === 'string') job.finishedAt = Number(finishedAt);
  return job;
}

/** A flat reply of `[key, JSON value, ...]` (a context hash, child results) as an object. */
export function jsonObjectFromReply(flat: readonly string[]): Record<string, JsonValue> {
  const object: Record<string, JsonValue> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) object[flat[i] as string] = JSON.parse(flat[i + 1] as string);
  return object;
}

/** A flat reply of `[jobId, nodeId, ...]` (from `start`) as refs. */
export function refsFromReply(flat: readonly string[], start = 0): JobRef[] {
  const refs: JobRef[] = [];
  for (let i = start; i + 1 < flat.length; i += 2) {
    refs.push({ jobId: flat[i] as string, nodeId: flat[i + 1] as string });
  }
  return refs;
}

/** A context to merge as script arguments: `[key, JSON value, ...]`. */
export function contextToArgs(context: JsonObject | undefined): string[] {
  const args: string[] = [];
  if (!context) return args;
  for (const [key, value] of Object.entries(context)) {
    if (value !== undefined) args.push(key, JSON.stringify(value));
  }
  return args;
}

/** Jobs as script arguments: six per job (id, parentId or '', nodeId, type, parameters, title). */
export function jobsToArgs(jobs: readonly NewJob[]): string[] {
  const args: string[] = [];
  for (const job of jobs) {
    args.push(job.id, job.parentId ?? '', job.nodeId, job.type, JSON.stringify(job.parameters), job.title);
  }
  return args;
}
