import type { JsonObject, JsonValue } from '../../kernel/json-schema';
import { type ClaimedJob, type JobEvent, type JobRef, relatedJobSummary } from '../job-store';
import type { JobOutcome } from './sql-job-claims';
import type { SqlTransaction } from './sql-job-connection';
import { sqlJobTables } from './sql-job-migrations';
import { type JobRow, jobColumns, parseObject, toJobRecord } from './sql-job-rows';
import { type CounterRow, isReadyCounter } from './sql-job-tree-writes';

// PostgreSQL is a round trip away: a batch costs a fixed number of statements, each taking
// its rows as array parameters, however many jobs it records or claims. Each statement finds
// its jobs with `id = ANY(ids)`, which the planner always answers from the primary key (a join
// on an unnest alone may scan the table: its statistics lag behind a tree just inserted). The trees of every
// job in a batch are locked first (lockTreesOf), so what the statements read cannot change
// under them, and the result is the same as the single-job steps one after the other.

const { trees: TREES, jobs: JOBS } = sqlJobTables;

const qualifiedJobColumns = jobColumns
  .split(', ')
  .map((column) => `j.${column}`)
  .join(', ');

/** A job claimed by {@link claimJobBatch} and the event its claim publishes. */
interface BatchClaim {
  claimed: ClaimedJob;
  event: JobEvent;
}

/**
 * Claims, in the order given, up to `limit` (null: all) of the jobs `jobIds` that are claimable
 * by `nodeId` (as `claimJob` does each: WAITING, ready, on that node, tree not aborted). Returns
 * them keyed by their position among the distinct ids (first occurrences, in order), with the
 * RUNNING event to publish; publishes nothing.
 */
async function claimJobBatch(
  tx: SqlTransaction,
  jobIds: readonly string[],
  nodeId: string,
  now: number,
  limit: number | null,
): Promise<Map<number, BatchClaim>> {
  const candidates = firstOccurrences(jobIds).map((index) => jobIds[index] as string);
  const claims = new Map<number, BatchClaim>();
  if (candidates.length === 0 || limit === 0) return claims;
  // LIMIT counts the rows locked: a row another transaction changed meanwhile is re-checked and skipped.
  const rows = await tx.all<JobRow & { ord: number; context: string }>(
    'WITH c AS (SELECT j.id, array_position(?::text[], j.id) - 1 AS ord ' +
      `FROM ${JOBS} j JOIN ${TREES} t ON t.tree_id = j.tree_id WHERE j.id = ANY(?::text[]) ` +
      `AND j.state = 'WAITING' AND j.node_id = ? AND j.children_succeeded = j.children_total AND t.aborted = 0 ` +
      'ORDER BY ord LIMIT ? FOR UPDATE OF j) ' +
      `UPDATE ${JOBS} j SET state = 'RUNNING', started_at = ? FROM c, ${TREES} t ` +
      `WHERE j.id = c.id AND t.tree_id = j.tree_id RETURNING c.ord, ${qualifiedJobColumns}, t.context`,
    [candidates, candidates, nodeId, limit, now],
  );
  const children = await childrenOf(
    tx,
    rows.filter((row) => Number(row.children_total) > 0).map((row) => row.id),
  );
  for (const row of rows) {
    const ofJob = children.get(row.id) ?? [];
    const childResults: Record<string, JsonValue> = {};
    for (const child of ofJob) if (child.result !== null) childResults[child.id] = JSON.parse(child.result);
    claims.set(row.ord, {
      claimed: {
        job: toJobRecord(
          row,
          ofJob.map((child) => child.id),
        ),
        context: parseObject(row.context),
        childResults,
      },
      event: {
        kind: 'state',
        treeId: row.tree_id,
        jobId: row.id,
        parentId: row.parent_id,
        nodeId,
        state: 'RUNNING',
      },
    });
  }
  return claims;
}

/** The children (id and result) of each job in `parentIds`, in insertion order. */
async function childrenOf(
  tx: SqlTransaction,
  parentIds: readonly string[],
): Promise<Map<string, { id: string; result: string | null }[]>> {
  const children = new Map<string, { id: string; result: string | null }[]>();
  if (parentIds.length === 0) return children;
  const rows = await tx.all<{ parent_id: string; id: string; result: string | null }>(
    `SELECT parent_id, id, result FROM ${JOBS} ` +
      'WHERE parent_id = ANY(?::text[]) ORDER BY parent_id, position',
    [parentIds],
  );
  for (const row of rows) {
    const list = children.get(row.parent_id);
    if (list) list.push(row);
    else children.set(row.parent_id, [row]);
  }
  return children;
}

/** The ids, summaries and results of the successes at `indexes`, as three array parameters. */
function batchColumns(
  successes: readonly { jobId: string; outcome: JobOutcome }[],
  indexes: readonly number[],
): [string[], string[], (string | null)[]] {
  const columns: [string[], string[], (string | null)[]] = [[], [], []];
  for (const index of indexes) {
    const { jobId, outcome } = successes[index] as { jobId: string; outcome: JobOutcome };
    columns[0].push(jobId);
    columns[1].push(outcome.summary);
    columns[2].push(outcome.result === undefined ? null : JSON.stringify(outcome.result));
  }
  return columns;
}

/** Indexes of the first occurrence of each value, in order. */
function firstOccurrences(values: readonly string[]): number[] {
  const seen = new Set<string>();
  const indexes: number[] = [];
  for (const [index, value] of values.entries()) {
    if (seen.has(value)) continue;
    seen.add(value);
    indexes.push(index);
  }
  return indexes;
}

/** `claimMany` on PostgreSQL (trees already locked): one claim statement, events in order. */
export async function claimJobsInBatch(
  tx: SqlTransaction,
  jobIds: readonly string[],
  nodeId: string,
  now: number,
): Promise<ClaimedJob[]> {
  const claims = [...(await claimJobBatch(tx, jobIds, nodeId, now, null))].sort(([a], [b]) => a - b);
  for (const [, claim] of claims) tx.publish(claim.event);
  return claims.map(([, claim]) => claim.claimed);
}

/** A row of a job `succeedJobsInBatch` ended. */
interface EndedRow {
  id: string;
  tree_id: string;
  parent_id: string | null;
  node_id: string;
  state: 'SUCCESS' | 'ABORTED';
  context?: string;
}

/** What one success of a batch did. */
interface Step {
  row?: EndedRow;
  recorded: boolean;
  /** The tree's context after this step, when the batch merges contexts. */
  context?: JsonObject;
}

const merges = (outcome: JobOutcome): boolean =>
  outcome.context !== undefined && Object.keys(outcome.context).length > 0;

/**
 * `succeedMany` on PostgreSQL (trees already locked): ends every RUNNING job of the batch in one
 * statement (ABORTED in an aborted tree), merges contexts and marks roots finished, counts the
 * successes into their parents in one statement, then claims the parents made ready (those of
 * `claimFor`, within the budget) and `claimNext` in one statement. Events are published in the
 * order the single steps would publish them.
 */
export async function succeedJobsInBatch(
  tx: SqlTransaction,
  successes: readonly { jobId: string; outcome: JobOutcome }[],
  now: number,
  claimFor: string | undefined,
  claimNext: readonly string[],
  budget: number,
): Promise<{ results: { recorded: boolean; readyParent?: JobRef }[]; claimed: ClaimedJob[] }> {
  const steps = await endJobs(tx, successes, now);
  const madeReady = await countIntoParents(tx, steps);
  const parentsToClaim: number[] = [];
  for (const [index, parent] of [...madeReady].sort(([a], [b]) => a - b)) {
    if (parentsToClaim.length < budget && parent.nodeId === claimFor) parentsToClaim.push(index);
  }
  const candidates = [...parentsToClaim.map((index) => madeReady.get(index)?.jobId as string), ...claimNext];
  const claims =
    claimFor === undefined || budget === 0
      ? new Map<number, BatchClaim>()
      : await claimJobBatch(tx, candidates, claimFor, now, Number.isFinite(budget) ? budget : null);

  const results: { recorded: boolean; readyParent?: JobRef }[] = [];
  const claimed: ClaimedJob[] = [];
  for (const [index, step] of steps.entries()) {
    results.push({ recorded: step.recorded });
    const { row } = step;
    if (!row) continue;
    const aborted = row.state === 'ABORTED';
    tx.publish({
      kind: 'state',
      treeId: row.tree_id,
      jobId: row.id,
      parentId: row.parent_id,
      nodeId: row.node_id,
      state: row.state,
      summary: aborted ? relatedJobSummary : (successes[index]?.outcome.summary as string),
    });
    const parent = madeReady.get(index);
    if (!parent) continue;
    const claim = claims.get(parentsToClaim.indexOf(index));
    if (claim) {
      // The context as it was when the parent was claimed, before the batch's later merges.
      if (step.context) claim.claimed.context = step.context;
      claimed.push(claim.claimed);
      tx.publish(claim.event);
    } else {
      results[index] = { recorded: true, readyParent: parent };
      tx.publish({ kind: 'ready', treeId: row.tree_id, jobs: [parent] });
    }
  }
  for (const [ord, claim] of [...claims].sort(([a], [b]) => a - b)) {
    if (ord < parentsToClaim.length) continue;
    claimed.push(claim.claimed);
    tx.publish(claim.event);
  }
  return { results, claimed };
}

/**
 * RUNNING -> SUCCESS (ABORTED in an aborted tree) for the first occurrence of each job, merging
 * the recorded contexts in order and marking finished the trees whose root ended.
 */
async function endJobs(
  tx: SqlTransaction,
  successes: readonly { jobId: string; outcome: JobOutcome }[],
  now: number,
): Promise<Step[]> {
  const first = firstOccurrences(successes.map((success) => success.jobId));
  const withContext = successes.some((success) => merges(success.outcome));
  const ids = first.map((index) => successes[index]?.jobId as string);
  const rows =
    first.length === 0
      ? []
      : await tx.all<EndedRow>(
          `UPDATE ${JOBS} j SET state = CASE WHEN t.aborted = 1 THEN 'ABORTED' ELSE 'SUCCESS' END, ` +
            'summary = CASE WHEN t.aborted = 1 THEN ? ELSE v.summary END, ' +
            'result = CASE WHEN t.aborted = 1 THEN NULL ELSE v.result END, finished_at = ? ' +
            `FROM ${TREES} t, unnest(?::text[], ?::text[], ?::text[]) AS v(id, summary, result) ` +
            `WHERE j.id = ANY(?::text[]) AND j.id = v.id AND j.state = 'RUNNING' AND t.tree_id = j.tree_id ` +
            `RETURNING j.id, j.tree_id, j.parent_id, j.node_id, j.state${withContext ? ', t.context' : ''}`,
          [relatedJobSummary, now, ...batchColumns(successes, first), ids],
        );
  const ended = new Map(rows.map((row) => [row.id, row]));
  const firstIndexes = new Set(first);
  const contexts = new Map<string, JsonObject>();
  const roots = new Set<string>();
  const steps = successes.map(({ jobId, outcome }, index): Step => {
    const row = firstIndexes.has(index) ? ended.get(jobId) : undefined;
    if (!row) return { recorded: false };
    if (row.parent_id === null) roots.add(row.tree_id);
    if (row.state === 'ABORTED') return { row, recorded: false };
    if (!withContext) return { row, recorded: true };
    let context = contexts.get(row.tree_id) ?? parseObject(row.context);
    if (merges(outcome)) {
      context = { ...context, ...outcome.context };
      contexts.set(row.tree_id, context);
    }
    return { row, recorded: true, context };
  });
  if (contexts.size > 0) {
    await tx.run(
      `UPDATE ${TREES} t SET context = v.context FROM unnest(?::text[], ?::text[]) AS v(tree_id, context) ` +
        'WHERE t.tree_id = v.tree_id',
      [[...contexts.keys()], [...contexts.values()].map((context) => JSON.stringify(context))],
    );
  }
  if (roots.size > 0) {
    await tx.run(`UPDATE ${TREES} SET finished_at = ? WHERE tree_id = ANY(?::text[])`, [now, [...roots]]);
  }
  return steps;
}

/**
 * Adds the batch's recorded successes to their parents' counters in one statement; returns the
 * parents this made ready, each under the index of the success that made it so (its last child
 * in the batch, as one success after the other would).
 */
async function countIntoParents(tx: SqlTransaction, steps: readonly Step[]): Promise<Map<number, JobRef>> {
  const counts = new Map<string, { n: number; last: number }>();
  for (const [index, step] of steps.entries()) {
    const parentId = step.row?.parent_id;
    if (!step.recorded || !parentId) continue;
    const count = counts.get(parentId);
    counts.set(parentId, { n: (count?.n ?? 0) + 1, last: index });
  }
  const madeReady = new Map<number, JobRef>();
  if (counts.size === 0) return madeReady;
  const parents = await tx.all<{ id: string; state: string; node_id: string } & CounterRow>(
    `UPDATE ${JOBS} j SET children_succeeded = j.children_succeeded + v.n ` +
      'FROM unnest(?::text[], ?::int[]) AS v(id, n) WHERE j.id = ANY(?::text[]) AND j.id = v.id ' +
      'RETURNING j.id, j.state, j.node_id, j.children_total, j.children_succeeded',
    [[...counts.keys()], [...counts.values()].map((count) => count.n), [...counts.keys()]],
  );
  for (const parent of parents) {
    if (parent.state !== 'WAITING' || !isReadyCounter(parent)) continue;
    madeReady.set((counts.get(parent.id) as { last: number }).last, {
      jobId: parent.id,
      nodeId: parent.node_id,
    });
  }
  return madeReady;
}
