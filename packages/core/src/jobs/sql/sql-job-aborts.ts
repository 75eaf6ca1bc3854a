import type { JobState } from '../../kernel/providers/lifecycle-events';
import type { JobRef } from '../job-store';
import type { SqlTransaction } from './sql-job-connection';
import { sqlJobTables } from './sql-job-migrations';
import { byPosition, toJobRef } from './sql-job-rows';

const { trees: TREES, jobs: JOBS } = sqlJobTables;

/** States a job never leaves. */
export const finishedStates: ReadonlySet<JobState> = new Set<JobState>(['SUCCESS', 'FAILED', 'ABORTED']);

/** A job and its tree, read while holding the tree's lock. */
export interface LockedJob {
  id: string;
  treeId: string;
  parentId: string | null;
  nodeId: string;
  /** Whether the tree was aborted (when locked). */
  treeAborted: boolean;
}

/** `FOR UPDATE` clause locking the tree row (`t`) on PostgreSQL; SQLite already holds the write lock. */
export function lockTreeClause(tx: SqlTransaction, alias = 't'): string {
  return tx.dialect === 'postgres' ? ` FOR UPDATE OF ${alias}` : '';
}

/**
 * Reads job `jobId` and locks its tree's row: every multi-row write of a tree takes this lock
 * first, so they run one at a time per tree and never deadlock. Undefined if no such job.
 */
export async function lockJobTree(tx: SqlTransaction, jobId: string): Promise<LockedJob | undefined> {
  const [row] = await tx.all<{ tree_id: string; parent_id: string | null; node_id: string; aborted: number }>(
    `SELECT j.tree_id, j.parent_id, j.node_id, t.aborted FROM ${JOBS} j JOIN ${TREES} t ON t.tree_id = j.tree_id ` +
      `WHERE j.id = ?${lockTreeClause(tx)}`,
    [jobId],
  );
  if (!row) return undefined;
  return {
    id: jobId,
    treeId: row.tree_id,
    parentId: row.parent_id,
    nodeId: row.node_id,
    treeAborted: Number(row.aborted) === 1,
  };
}

/** Records that the tree's root finished at `now` (trees are listed and pruned by it). */
export async function markTreeFinished(tx: SqlTransaction, treeId: string, now: number): Promise<void> {
  await tx.run(`UPDATE ${TREES} SET finished_at = ? WHERE tree_id = ?`, [now, treeId]);
}

/**
 * RUNNING -> `state` for a locked job, publishing the change. False (and nothing changed) if
 * the job was not RUNNING.
 */
export async function finishRunningJob(
  tx: SqlTransaction,
  job: LockedJob,
  state: 'FAILED' | 'ABORTED',
  summary: string,
  now: number,
): Promise<boolean> {
  const changed = await tx.run(
    `UPDATE ${JOBS} SET state = ?, summary = ?, finished_at = ? WHERE id = ? AND state = 'RUNNING'`,
    [state, summary, now, job.id],
  );
  if (changed === 0) return false;
  tx.publish({
    kind: 'state',
    treeId: job.treeId,
    jobId: job.id,
    parentId: job.parentId,
    nodeId: job.nodeId,
    state,
    summary,
  });
  if (job.parentId === null) await markTreeFinished(tx, job.treeId, now);
  return true;
}

/**
 * Aborts a locked tree: every NEW or WAITING job becomes ABORTED with `summary` (each change
 * published), the tree is marked aborted (unless its root had succeeded: nothing is left to
 * abort then), and the jobs still RUNNING are returned; with `announce` they are also
 * published in one `aborted` event, for their nodes to signal.
 */
export async function abortLockedTree(
  tx: SqlTransaction,
  treeId: string,
  summary: string,
  now: number,
  announce: boolean,
): Promise<JobRef[]> {
  const [root] = await tx.all<{ state: JobState }>(`SELECT state FROM ${JOBS} WHERE id = ?`, [treeId]);
  if (root?.state === 'SUCCESS') return [];
  const aborted = byPosition(
    await tx.all<{ id: string; parent_id: string | null; node_id: string; position: number }>(
      `UPDATE ${JOBS} SET state = 'ABORTED', summary = ?, finished_at = ? ` +
        `WHERE tree_id = ? AND state IN ('NEW', 'WAITING') RETURNING id, parent_id, node_id, position`,
      [summary, now, treeId],
    ),
  );
  for (const row of aborted) {
    tx.publish({
      kind: 'state',
      treeId,
      jobId: row.id,
      parentId: row.parent_id,
      nodeId: row.node_id,
      state: 'ABORTED',
      summary,
    });
  }
  const rootAborted = aborted.some((row) => row.parent_id === null);
  await tx.run(
    `UPDATE ${TREES} SET aborted = 1${rootAborted ? ', finished_at = ?' : ''} WHERE tree_id = ?`,
    rootAborted ? [now, treeId] : [treeId],
  );
  const running = (
    await tx.all<{ id: string; node_id: string }>(
      `SELECT id, node_id FROM ${JOBS} WHERE tree_id = ? AND state = 'RUNNING' ORDER BY position`,
      [treeId],
    )
  ).map(toJobRef);
  if (announce) tx.publish({ kind: 'aborted', treeId, summary, running });
  return running;
}
