import type { JsonObject, JsonValue } from '../../kernel/json-schema';
import type { JobState } from '../../kernel/providers/lifecycle-events';
import type { JobRecord, JobRef, NewJob } from '../job-store';

/** A flat HGETALL reply (`[field, value, ...]`) as an object. */
export function hashFromReply(flat: readonly string[]): Record<string, string> {
  const hash: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) hash[flat[i] as string] = flat[i + 1] as string;
  return hash;
}

/** A job hash and its child ids as a {@link JobRecord}. */
export function jobFromReply(flat: readonly string[], childIds: readonly string[]): JobRecord {
  const hash = hashFromReply(flat);
  const job: JobRecord = {
    id: hash.id as string,
    treeId: hash.treeId as string,
    parentId: hash.parentId ? hash.parentId : null,
    nodeId: hash.nodeId as string,
    type: hash.type as string,
    parameters: JSON.parse(hash.parameters ?? '{}') as JsonObject,
    title: hash.title ?? '',
    state: hash.state as JobState,
    childIds: [...childIds],
    createdAt: Number(hash.createdAt),
  };
  if (hash.summary !== undefined) job.summary = hash.summary;
  if (hash.result !== undefined) job.result = JSON.parse(hash.result) as JsonValue;
  if (hash.startedAt !== undefined) job.startedAt = Number(hash.startedAt);
  if (hash.finishedAt !== undefined) job.finishedAt = Number(hash.finishedAt);
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
