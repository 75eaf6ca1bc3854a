import { type LapsedNodes, lostNodeSummary, type NodeLease, relatedJobSummary } from '../job-store';
import { abortLockedTree, finishRunningJob, lockJobTree } from './sql-job-aborts';
import type { SqlTransaction } from './sql-job-connection';
import { activeJobPredicate, sqlJobTables } from './sql-job-migrations';

const { jobs: JOBS, leases: LEASES } = sqlJobTables;

/** Takes or renews a node's lease (see `JobStore.leaseNode`): one upsert, refused while another holder's lease runs. */
export async function leaseNode(
  tx: SqlTransaction,
  nodeId: string,
  holder: string,
  expiresAt: number,
  now: number,
): Promise<NodeLease> {
  const changed = await tx.run(
    `INSERT INTO ${LEASES} (node_id, holder, expires_at) VALUES (?, ?, ?) ` +
      'ON CONFLICT (node_id) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at ' +
      `WHERE ${LEASES}.holder = excluded.holder OR ${LEASES}.expires_at <= ?`,
    [nodeId, holder, expiresAt, now],
  );
  if (changed > 0) return { held: true };
  const [row] = await tx.all<{ holder: string; expires_at: number | string }>(
    `SELECT holder, expires_at FROM ${LEASES} WHERE node_id = ?`,
    [nodeId],
  );
  // Released between the two statements: nobody holds it now, so the next renewal takes it.
  if (!row) return { held: true };
  return { held: false, holder: row.holder, expiresAt: Number(row.expires_at) };
}

/** Drops a node's lease if `holder` holds it. */
export async function releaseNode(tx: SqlTransaction, nodeId: string, holder: string): Promise<void> {
  await tx.run(`DELETE FROM ${LEASES} WHERE node_id = ? AND holder = ?`, [nodeId, holder]);
}

/**
 * Fails the RUNNING jobs of lapsed nodes (see `JobStore.failLapsedNodes`). The lapsed leases
 * are deleted first: a node renewing at the same moment either renews before (and is not
 * lapsed) or after (and takes a new lease), and two engines sweeping never fail a job twice.
 */
export async function failLapsedNodes(tx: SqlTransaction, now: number): Promise<LapsedNodes> {
  const lapsed = await tx.all<{ node_id: string }>(
    `DELETE FROM ${LEASES} WHERE expires_at <= ? RETURNING node_id`,
    [now],
  );
  const nodeIds = lapsed.map((row) => row.node_id).sort();
  const treeIds = await failRunningJobsOf(tx, nodeIds, lostNodeSummary, now);
  return { nodeIds, treeIds };
}

/**
 * Every job RUNNING on one of `nodeIds` becomes FAILED with `summaryFor(nodeId)`, and its tree
 * is aborted. Returns the ids of the trees aborted. Shared by restart recovery and lapsed leases.
 */
export async function failRunningJobsOf(
  tx: SqlTransaction,
  nodeIds: readonly string[],
  summaryFor: (nodeId: string) => string,
  now: number,
): Promise<string[]> {
  if (nodeIds.length === 0) return [];
  const running = await tx.all<{ id: string; tree_id: string; node_id: string }>(
    `SELECT id, tree_id, node_id FROM ${JOBS} WHERE node_id IN (${nodeIds.map(() => '?').join(', ')}) ` +
      `AND ${activeJobPredicate} AND state = 'RUNNING'`,
    nodeIds,
  );
  const aborted: string[] = [];
  // Lock trees in a fixed order, so that two recoveries never wait for each other.
  for (const treeId of [...new Set(running.map((row) => row.tree_id))].sort()) {
    let failed = false;
    let treeAborted = false;
    for (const row of running.filter((each) => each.tree_id === treeId)) {
      const job = await lockJobTree(tx, row.id);
      if (!job) continue;
      treeAborted ||= job.treeAborted;
      if (await finishRunningJob(tx, job, 'FAILED', summaryFor(row.node_id), now)) failed = true;
    }
    if (!failed) continue;
    await abortLockedTree(tx, treeId, relatedJobSummary, now, !treeAborted);
    aborted.push(treeId);
  }
  return aborted;
}
