import type { JsonObject, JsonValue } from '../../kernel/json-schema';
import { type ClaimedJob, type JobRef, relatedJobSummary } from '../job-store';
import { claimJobsInBatch, succeedJobsInBatch } from './postgres-job-batches';
import { lockTreeClause, markTreeFinished } from './sql-job-aborts';
import type { SqlTransaction } from './sql-job-connection';
import { sqlJobTables } from './sql-job-migrations';
import { type JobRow, jobColumns, parseObject, toJobRecord } from './sql-job-rows';
import { lockTreesOf } from './sql-job-tree-locks';
import { type CounterRow, isReadyCounter } from './sql-job-tree-writes';

const { trees: TREES, jobs: JOBS } = sqlJobTables;

/** What a job's handler reported when it succeeded. */
export interface JobOutcome {
  result?: JsonValue;
  context?: JsonObject;
  summary: string;
}

/** What recording one success did (see `JobStore.succeed`). */
export interface SucceedResult {
  recorded: boolean;
  readyParent?: JobRef;
  claimedParent?: ClaimedJob;
}

/** Claims a ready job and reads the tree's context in the same statement. */
const claimSql =
  `UPDATE ${JOBS} SET state = 'RUNNING', started_at = ? ` +
  `WHERE id = ? AND state = 'WAITING' AND node_id = ? AND children_succeeded = children_total ` +
  `AND (SELECT aborted FROM ${TREES} t WHERE t.tree_id = ${JOBS}.tree_id) = 0 ` +
  `RETURNING ${jobColumns}, (SELECT context FROM ${TREES} t WHERE t.tree_id = ${JOBS}.tree_id) AS context`;

/**
 * WAITING -> RUNNING for a ready job of `nodeId` in a tree not aborted (see `JobStore.claim`),
 * publishing the change; reads what its handler needs. Undefined (nothing changed) otherwise.
 * Shared by `claim`, `claimMany` and by `succeed` claiming the parent it made ready.
 */
export async function claimJob(
  tx: SqlTransaction,
  jobId: string,
  nodeId: string,
  now: number,
): Promise<ClaimedJob | undefined> {
  const [row] = await tx.all<JobRow & { context: string }>(claimSql, [now, jobId, nodeId]);
  if (!row) return undefined;
  const children =
    Number(row.children_total) > 0
      ? await tx.all<{ id: string; result: string | null }>(
          `SELECT id, result FROM ${JOBS} WHERE parent_id = ? ORDER BY position`,
          [jobId],
        )
      : [];
  const childResults: Record<string, JsonValue> = {};
  for (const child of children) if (child.result !== null) childResults[child.id] = JSON.parse(child.result);
  tx.publish({
    kind: 'state',
    treeId: row.tree_id,
    jobId,
    parentId: row.parent_id,
    nodeId,
    state: 'RUNNING',
  });
  const job = toJobRecord(
    row,
    children.map((child) => child.id),
  );
  return { job, context: parseObject(row.context), childResults };
}

/**
 * RUNNING -> SUCCESS for one job (see `JobStore.succeed`), claiming the parent it made ready
 * when that parent is assigned to `claimReadyParentFor`. Shared by `succeed` and `succeedMany`.
 */
export async function succeedJob(
  tx: SqlTransaction,
  jobId: string,
  outcome: JobOutcome,
  now: number,
  claimReadyParentFor: string | undefined,
): Promise<SucceedResult> {
  const merge = outcome.context !== undefined && Object.keys(outcome.context).length > 0;
  if (tx.dialect === 'sqlite' && !merge)
    return succeedWithoutMerge(tx, jobId, outcome, now, claimReadyParentFor);
  const [job] = await tx.all<{
    tree_id: string;
    parent_id: string | null;
    node_id: string;
    aborted: number;
    context?: string;
  }>(
    `SELECT j.tree_id, j.parent_id, j.node_id, t.aborted${merge ? ', t.context' : ''} FROM ${JOBS} j ` +
      `JOIN ${TREES} t ON t.tree_id = j.tree_id WHERE j.id = ?${lockTreeClause(tx)}`,
    [jobId],
  );
  if (!job) return { recorded: false };
  const treeId = job.tree_id;
  const aborted = Number(job.aborted) === 1;
  const state = aborted ? 'ABORTED' : 'SUCCESS';
  const summary = aborted ? relatedJobSummary : outcome.summary;
  const result = aborted || outcome.result === undefined ? null : JSON.stringify(outcome.result);
  const changed = await tx.run(
    `UPDATE ${JOBS} SET state = ?, summary = ?, result = ?, finished_at = ? WHERE id = ? AND state = 'RUNNING'`,
    [state, summary, result, now, jobId],
  );
  if (changed === 0) return { recorded: false };
  if (!aborted && merge) {
    const context = JSON.stringify({ ...parseObject(job.context), ...outcome.context });
    await tx.run(`UPDATE ${TREES} SET context = ? WHERE tree_id = ?`, [context, treeId]);
  }
  tx.publish({
    kind: 'state',
    treeId,
    jobId,
    parentId: job.parent_id,
    nodeId: job.node_id,
    state,
    summary,
  });
  return afterSuccess(tx, treeId, job.parent_id, aborted, now, claimReadyParentFor);
}

/**
 * `succeedJob` on SQLite without a context to merge: the check and the write are one statement
 * (the database's write lock is held; no other writer can come between), one of the four
 * statements a job costs fewer.
 */
async function succeedWithoutMerge(
  tx: SqlTransaction,
  jobId: string,
  outcome: JobOutcome,
  now: number,
  claimReadyParentFor: string | undefined,
): Promise<SucceedResult> {
  const result = outcome.result === undefined ? null : JSON.stringify(outcome.result);
  const [job] = await tx.all<{ tree_id: string; parent_id: string | null; node_id: string; state: string }>(
    `UPDATE ${JOBS} SET state = CASE WHEN t.aborted = 1 THEN 'ABORTED' ELSE 'SUCCESS' END, ` +
      'summary = CASE WHEN t.aborted = 1 THEN ? ELSE ? END, ' +
      'result = CASE WHEN t.aborted = 1 THEN NULL ELSE ? END, finished_at = ? ' +
      `FROM ${TREES} t WHERE ${JOBS}.id = ? AND ${JOBS}.state = 'RUNNING' AND t.tree_id = ${JOBS}.tree_id ` +
      `RETURNING ${JOBS}.tree_id, ${JOBS}.parent_id, ${JOBS}.node_id, ${JOBS}.state`,
    [relatedJobSummary, outcome.summary, result, now, jobId],
  );
  if (!job) return { recorded: false };
  const aborted = job.state === 'ABORTED';
  tx.publish({
    kind: 'state',
    treeId: job.tree_id,
    jobId,
    parentId: job.parent_id,
    nodeId: job.node_id,
    state: aborted ? 'ABORTED' : 'SUCCESS',
    summary: aborted ? relatedJobSummary : outcome.summary,
  });
  return afterSuccess(tx, job.tree_id, job.parent_id, aborted, now, claimReadyParentFor);
}

/** What follows recording a job's end: the tree's end for a root, else the parent's counter. */
async function afterSuccess(
  tx: SqlTransaction,
  treeId: string,
  parentId: string | null,
  aborted: boolean,
  now: number,
  claimReadyParentFor: string | undefined,
): Promise<SucceedResult> {
  if (parentId === null) await markTreeFinished(tx, treeId, now);
  // Aborted instead: the outcome was not recorded.
  if (aborted) return { recorded: false };
  if (parentId === null) return { recorded: true };
  const [parent] = await tx.all<{ state: string; node_id: string } & CounterRow>(
    `UPDATE ${JOBS} SET children_succeeded = children_succeeded + 1 WHERE id = ? ` +
      'RETURNING state, node_id, children_total, children_succeeded',
    [parentId],
  );
  if (parent?.state !== 'WAITING' || !isReadyCounter(parent)) return { recorded: true };
  if (claimReadyParentFor !== undefined && parent.node_id === claimReadyParentFor) {
    // The caller runs the parent next: claim it now (the tree's lock is held, it is not aborted).
    const claimedParent = await claimJob(tx, parentId, parent.node_id, now);
    if (claimedParent) return { recorded: true, claimedParent };
  }
  const readyParent = { jobId: parentId, nodeId: parent.node_id };
  tx.publish({ kind: 'ready', treeId, jobs: [readyParent] });
  return { recorded: true, readyParent };
}

/**
 * Claims jobs in order, each as {@link claimJob} does; those claimed, in that order (see
 * `JobStore.claimMany`). On PostgreSQL in one statement (postgres-job-batches.ts).
 */
export async function claimJobs(
  tx: SqlTransaction,
  jobIds: readonly string[],
  nodeId: string,
  now: number,
): Promise<ClaimedJob[]> {
  await lockTreesOf(tx, jobIds);
  if (tx.dialect === 'postgres') return claimJobsInBatch(tx, jobIds, nodeId, now);
  const claimed: ClaimedJob[] = [];
  for (const jobId of jobIds) {
    const job = await claimJob(tx, jobId, nodeId, now);
    if (job) claimed.push(job);
  }
  return claimed;
}

/**
 * Records successes in order, each as {@link succeedJob} does, then claims for `claimFor` up to
 * `maxClaims` jobs: the parents made ready that are assigned to it (in the order of the
 * successes), then the jobs of `claimNext` (see `JobStore.succeedMany`). On PostgreSQL in a few
 * statements whatever the batch's size (postgres-job-batches.ts).
 */
export async function succeedJobs(
  tx: SqlTransaction,
  successes: readonly { jobId: string; outcome: JobOutcome }[],
  now: number,
  options: { claimFor?: string; claimNext?: readonly string[]; maxClaims?: number },
): Promise<{ results: { recorded: boolean; readyParent?: JobRef }[]; claimed: ClaimedJob[] }> {
  const { claimFor } = options;
  // Nothing can be claimed without a node to claim for.
  const claimNext = claimFor === undefined ? [] : (options.claimNext ?? []);
  let budget = claimFor === undefined ? 0 : Math.max(0, options.maxClaims ?? Number.POSITIVE_INFINITY);
  await lockTreesOf(tx, [...successes.map((success) => success.jobId), ...claimNext]);
  if (tx.dialect === 'postgres') return succeedJobsInBatch(tx, successes, now, claimFor, claimNext, budget);
  const results: { recorded: boolean; readyParent?: JobRef }[] = [];
  const claimed: ClaimedJob[] = [];
  for (const { jobId, outcome } of successes) {
    // Out of budget: the parent is published as ready, as `succeed` without the option does.
    const { claimedParent, ...result } = await succeedJob(
      tx,
      jobId,
      outcome,
      now,
      budget > 0 ? claimFor : undefined,
    );
    results.push(result);
    if (claimedParent) {
      claimed.push(claimedParent);
      budget -= 1;
    }
  }
  for (const jobId of claimNext) {
    if (budget <= 0) break;
    const job = await claimJob(tx, jobId, claimFor as string, now);
    if (job) {
      claimed.push(job);
      budget -= 1;
    }
  }
  return { results, claimed };
}
