import { PaasmakerError } from '../../kernel/errors';
import type { JobRef, NewJob } from '../job-store';
import { lockJobTree, lockTreeClause } from './sql-job-aborts';
import type { SqlTransaction } from './sql-job-connection';
import { sqlJobTables } from './sql-job-migrations';
import { byPosition, newJobColumns, newJobValues, toJobRef } from './sql-job-rows';

const { trees: TREES, jobs: JOBS, tags: TAGS } = sqlJobTables;

/** The counters that make a WAITING job ready when equal. */
export interface CounterRow {
  children_total: number | string;
  children_succeeded: number | string;
}

/** True when every child of the row's job succeeded. */
export function isReadyCounter(row: CounterRow): boolean {
  return Number(row.children_total) === Number(row.children_succeeded);
}

const newJobRef = (job: NewJob): JobRef => ({ jobId: job.id, nodeId: job.nodeId });

/**
 * Counts each job's children among `jobs` (and under the ids in `known`), calling `misplaced`
 * for a job whose parent is neither known nor listed before it.
 */
function countChildren(
  jobs: readonly NewJob[],
  known: Set<string>,
  misplaced: (job: NewJob) => never,
): Map<string, number> {
  const counts = new Map<string, number>();
  for (const [index, job] of jobs.entries()) {
    if (index > 0 || job.parentId !== null) {
      if (job.parentId === null || !known.has(job.parentId)) misplaced(job);
      counts.set(job.parentId, (counts.get(job.parentId) ?? 0) + 1);
    }
    known.add(job.id);
  }
  return counts;
}

/** Inserts a new tree (see `JobStore.createTree`); returns the ready leaves if it starts. */
export async function insertTree(
  tx: SqlTransaction,
  tree: { jobs: NewJob[]; tags: string[]; createdAt: number; start: boolean },
): Promise<JobRef[]> {
  const { jobs, tags, createdAt, start } = tree;
  const root = jobs[0];
  if (!root || root.parentId !== null) {
    throw new PaasmakerError(
      'E_JOB_TREE_INVALID',
      'a job tree must list its root (a job with parentId null) first.',
    );
  }
  const treeId = root.id;
  const childCounts = countChildren(jobs, new Set([treeId]), (job) => {
    throw new PaasmakerError(
      'E_JOB_TREE_INVALID',
      `job ${job.id} of tree ${treeId} names parent ${job.parentId}, which is not listed before it; list parents first.`,
    );
  });
  const state = start ? 'WAITING' : 'NEW';
  await tx.run(
    `INSERT INTO ${TREES} (tree_id, context, created_at, aborted, job_count) VALUES (?, '{}', ?, 0, ?)`,
    [treeId, createdAt, jobs.length],
  );
  await tx.insert(
    JOBS,
    newJobColumns,
    jobs.map((job, position) =>
      newJobValues(job, treeId, position, state, createdAt, childCounts.get(job.id) ?? 0),
    ),
  );
  await tx.insert(
    TAGS,
    ['tree_id', 'tag', 'position', 'created_at'],
    [...new Set(tags)].map((tag, position) => [treeId, tag, position, createdAt]),
  );
  tx.publish({ kind: 'created', treeId, parentId: null, jobIds: jobs.map((job) => job.id) });
  const ready = start ? jobs.filter((job) => !childCounts.get(job.id)).map(newJobRef) : [];
  if (ready.length > 0) tx.publish({ kind: 'ready', treeId, jobs: ready });
  return ready;
}

/** NEW -> WAITING for a tree (see `JobStore.startTree`); returns the jobs now ready. */
export async function startTreeJobs(tx: SqlTransaction, treeId: string): Promise<JobRef[]> {
  const [tree] = await tx.all<{ aborted: number }>(
    `SELECT aborted FROM ${TREES} t WHERE tree_id = ?${lockTreeClause(tx, 't')}`,
    [treeId],
  );
  if (!tree)
    throw new PaasmakerError('E_JOB_NOT_FOUND', `no job tree has id ${treeId}; create the tree first.`);
  const started = byPosition(
    await tx.all<{ id: string; parent_id: string | null; node_id: string; position: number } & CounterRow>(
      `UPDATE ${JOBS} SET state = 'WAITING' WHERE tree_id = ? AND state = 'NEW' ` +
        'RETURNING id, parent_id, node_id, position, children_total, children_succeeded',
      [treeId],
    ),
  );
  for (const row of started) {
    tx.publish({
      kind: 'state',
      treeId,
      jobId: row.id,
      parentId: row.parent_id,
      nodeId: row.node_id,
      state: 'WAITING',
    });
  }
  const ready = Number(tree.aborted) === 1 ? [] : started.filter(isReadyCounter).map(toJobRef);
  if (ready.length > 0) tx.publish({ kind: 'ready', treeId, jobs: ready });
  return ready;
}

/** Adds jobs under a NEW or WAITING job (see `JobStore.graft`); returns the jobs now ready. */
export async function graftJobs(
  tx: SqlTransaction,
  parentId: string,
  jobs: NewJob[],
  createdAt: number,
): Promise<JobRef[]> {
  const childCounts = countChildren(jobs, new Set([parentId]), (job) => {
    throw new PaasmakerError(
      'E_JOB_GRAFT',
      `job ${job.id} grafted under ${parentId} names parent ${job.parentId}, which is neither ${parentId} nor ` +
        'listed before it; graft a subtree whose top jobs have the graft point as parent.',
    );
  });
  const parent = await lockJobTree(tx, parentId);
  if (!parent)
    throw new PaasmakerError('E_JOB_NOT_FOUND', `cannot graft under job ${parentId}: no job has that id.`);
  if (parent.treeAborted) {
    throw new PaasmakerError(
      'E_JOB_GRAFT',
      `cannot graft under job ${parentId}: its tree ${parent.treeId} was aborted.`,
    );
  }
  // Conditional: a concurrent claim of the parent (all children done) and this graft exclude each other.
  const [updated] = await tx.all<{ state: 'NEW' | 'WAITING' }>(
    `UPDATE ${JOBS} SET children_total = children_total + ? ` +
      `WHERE id = ? AND state IN ('NEW', 'WAITING') RETURNING state`,
    [childCounts.get(parentId) ?? 0, parentId],
  );
  if (!updated) {
    const [current] = await tx.all<{ state: string }>(`SELECT state FROM ${JOBS} WHERE id = ?`, [parentId]);
    throw new PaasmakerError(
      'E_JOB_GRAFT',
      `cannot graft under job ${parentId}: it is ${current?.state}; graft only under a NEW or WAITING job ` +
        '(a running job grafts under its parent or the root).',
    );
  }
  if (jobs.length === 0) return [];
  const [tree] = await tx.all<{ job_count: number }>(
    `UPDATE ${TREES} SET job_count = job_count + ? WHERE tree_id = ? RETURNING job_count`,
    [jobs.length, parent.treeId],
  );
  const first = Number(tree?.job_count) - jobs.length;
  await tx.insert(
    JOBS,
    newJobColumns,
    jobs.map((job, index) =>
      newJobValues(job, parent.treeId, first + index, updated.state, createdAt, childCounts.get(job.id) ?? 0),
    ),
  );
  tx.publish({ kind: 'created', treeId: parent.treeId, parentId, jobIds: jobs.map((job) => job.id) });
  const ready =
    updated.state === 'WAITING' ? jobs.filter((job) => !childCounts.get(job.id)).map(newJobRef) : [];
  if (ready.length > 0) tx.publish({ kind: 'ready', treeId: parent.treeId, jobs: ready });
  return ready;
}
