import type { SqlTransaction } from './sql-job-connection';
import { sqlJobTables } from './sql-job-migrations';

const { trees: TREES, jobs: JOBS } = sqlJobTables;

/** Job ids looked up per statement when locking their trees (well under both dialects' limits). */
const lockChunk = 500;

const placeholders = (count: number): string => Array.from({ length: count }, () => '?').join(', ');

/** Orders strings by their UTF-8 bytes, as PostgreSQL's "C" collation does. */
const byBytes = (a: string, b: string): number => Buffer.compare(Buffer.from(a), Buffer.from(b));

/**
 * On PostgreSQL, locks the tree rows of the jobs `jobIds` (those that exist) in one fixed order,
 * by tree id, so that two batches touching the same trees wait for each other instead of
 * deadlocking; the single-job steps that follow take those locks again for free. SQLite holds
 * the database's write lock already.
 */
export async function lockTreesOf(tx: SqlTransaction, jobIds: readonly string[]): Promise<void> {
  if (tx.dialect !== 'postgres' || jobIds.length === 0) return;
  const ids = [...new Set(jobIds)];
  if (ids.length <= lockChunk) {
    // One round trip: PostgreSQL locks the rows as the sort returns them, in order.
    await tx.all(
      `SELECT t.tree_id FROM ${TREES} t WHERE t.tree_id IN ` +
        `(SELECT j.tree_id FROM ${JOBS} j WHERE j.id IN (${placeholders(ids.length)})) ` +
        'ORDER BY t.tree_id COLLATE "C" FOR UPDATE OF t',
      ids,
    );
    return;
  }
  const treeIds = new Set<string>();
  for (let start = 0; start < ids.length; start += lockChunk) {
    const chunk = ids.slice(start, start + lockChunk);
    const rows = await tx.all<{ tree_id: string }>(
      `SELECT DISTINCT tree_id FROM ${JOBS} WHERE id IN (${placeholders(chunk.length)})`,
      chunk,
    );
    for (const row of rows) treeIds.add(row.tree_id);
  }
  const sorted = [...treeIds].sort(byBytes);
  for (let start = 0; start < sorted.length; start += lockChunk) {
    const chunk = sorted.slice(start, start + lockChunk);
    await tx.all(
      `SELECT t.tree_id FROM ${TREES} t WHERE t.tree_id IN (${placeholders(chunk.length)}) ` +
        'ORDER BY t.tree_id COLLATE "C" FOR UPDATE OF t',
      chunk,
    );
  }
}
