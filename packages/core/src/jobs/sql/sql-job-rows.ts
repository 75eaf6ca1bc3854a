import type { JsonObject, JsonValue } from '../../kernel/json-schema';
import type { JobState } from '../../kernel/providers/lifecycle-events';
import type { JobRecord, JobRef, NewJob } from '../job-store';

/**
 * A row of `pm_job_jobs` as a driver returns it. PostgreSQL returns bigint columns as
 * strings, hence `number | string` for times.
 */
export interface JobRow {
  id: string;
  tree_id: string;
  parent_id: string | null;
  position: number | string;
  node_id: string;
  type: string;
  title: string;
  parameters: string;
  state: JobState;
  summary: string | null;
  result: string | null;
  created_at: number | string;
  started_at: number | string | null;
  finished_at: number | string | null;
  children_total: number | string;
  children_succeeded: number | string;
}

/** The columns of {@link JobRow}, for `SELECT` and `RETURNING` lists. */
export const jobColumns =
  'id, tree_id, parent_id, position, node_id, type, title, parameters, state, summary, result, ' +
  'created_at, started_at, finished_at, children_total, children_succeeded';

/** The columns a new job is inserted with, in the order of {@link newJobValues}. */
export const newJobColumns = [
  'id',
  'tree_id',
  'parent_id',
  'position',
  'node_id',
  'type',
  'title',
  'parameters',
  'state',
  'created_at',
  'children_total',
] as const;

/** The values of one new job for {@link newJobColumns}. */
export function newJobValues(
  job: NewJob,
  treeId: string,
  position: number,
  state: JobState,
  createdAt: number,
  childrenTotal: number,
): (string | number | null)[] {
  const { id, parentId, nodeId, type, title, parameters } = job;
  return [
    id,
    treeId,
    parentId,
    position,
    nodeId,
    type,
    title,
    JSON.stringify(parameters),
    state,
    createdAt,
    childrenTotal,
  ];
}

/** A time column as milliseconds, `undefined` when NULL. */
export function optionalTime(value: number | string | null): number | undefined {
  return value === null ? undefined : Number(value);
}

/** A stored JSON object column, `{}` when empty. */
export function parseObject(text: string | null | undefined): JsonObject {
  return text ? (JSON.parse(text) as JsonObject) : {};
}

/** A row as a {@link JobRecord}, given its children's ids in insertion order. */
export function toJobRecord(row: JobRow, childIds: string[]): JobRecord {
  const record: JobRecord = {
    id: row.id,
    treeId: row.tree_id,
    parentId: row.parent_id,
    nodeId: row.node_id,
    type: row.type,
    title: row.title,
    parameters: parseObject(row.parameters),
    state: row.state,
    childIds,
    createdAt: Number(row.created_at),
  };
  if (row.summary !== null) record.summary = row.summary;
  if (row.result !== null) record.result = JSON.parse(row.result) as JsonValue;
  const startedAt = optionalTime(row.started_at);
  if (startedAt !== undefined) record.startedAt = startedAt;
  const finishedAt = optionalTime(row.finished_at);
  if (finishedAt !== undefined) record.finishedAt = finishedAt;
  return record;
}

/** The {@link JobRef} of a row that has at least `id` and `node_id`. */
export function toJobRef(row: { id: string; node_id: string }): JobRef {
  return { jobId: row.id, nodeId: row.node_id };
}

/** Sorts rows that carry a position by it (RETURNING gives no order). */
export function byPosition<T extends { position: number | string }>(rows: T[]): T[] {
  return rows.sort((a, b) => Number(a.position) - Number(b.position));
}
