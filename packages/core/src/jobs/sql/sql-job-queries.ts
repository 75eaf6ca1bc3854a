import type { JobRecord, TreeQuery, TreeRecord, TreeSummary } from '../job-store';
import type { SqlDialect, SqlTransaction } from './sql-job-connection';
import { activeJobPredicate, sqlJobTables } from './sql-job-migrations';
import { type JobRow, jobColumns, optionalTime, parseObject, toJobRecord } from './sql-job-rows';

const { trees: TREES, jobs: JOBS, tags: TAGS, nodes: NODES } = sqlJobTables;

/** Trees deleted per batch of statements when pruning (keeps IN lists short). */
const pruneBatch = 200;

interface TreeRow {
  tree_id: string;
  context: string;
  created_at: number | string;
  aborted: number;
}

interface SummaryRow {
  tree_id: string;
  created_at: number | string;
  finished_at: number | string | null;
  type: string;
  title: string;
  state: TreeSummary['state'];
}

const placeholders = (count: number): string => Array.from({ length: count }, () => '?').join(', ');

/** The store's reads (and pruning), each run inside a transaction the store opened. */
export class SqlJobQueries {
  constructor(private readonly dialect: SqlDialect) {}

  /** Ids of the ready jobs of `nodeId`, oldest first. */
  async readyJobs(tx: SqlTransaction, nodeId: string): Promise<string[]> {
    const rows = await tx.all<{ id: string }>(
      `SELECT j.id FROM ${JOBS} j JOIN ${TREES} t ON t.tree_id = j.tree_id ` +
        `WHERE j.node_id = ? AND j.${activeJobPredicate} AND j.state = 'WAITING' ` +
        'AND j.children_succeeded = j.children_total AND t.aborted = 0 ' +
        'ORDER BY j.created_at, j.position',
      [nodeId],
    );
    return rows.map((row) => row.id);
  }

  /** One job with its children's ids. */
  async getJob(tx: SqlTransaction, jobId: string): Promise<JobRecord | undefined> {
    const [row] = await tx.all<JobRow>(`SELECT ${jobColumns} FROM ${JOBS} WHERE id = ?`, [jobId]);
    if (!row) return undefined;
    const children = await tx.all<{ id: string }>(
      `SELECT id FROM ${JOBS} WHERE parent_id = ? ORDER BY position`,
      [jobId],
    );
    return toJobRecord(
      row,
      children.map((child) => child.id),
    );
  }

  /** A whole tree, its jobs root first then depth-first, children in insertion order. */
  async getTree(tx: SqlTransaction, treeId: string): Promise<TreeRecord | undefined> {
    const [tree] = await tx.all<TreeRow>(
      `SELECT tree_id, context, created_at, aborted FROM ${TREES} WHERE tree_id = ?`,
      [treeId],
    );
    if (!tree) return undefined;
    const tags = await tx.all<{ tag: string }>(
      `SELECT tag FROM ${TAGS} WHERE tree_id = ? ORDER BY position`,
      [treeId],
    );
    const rows = await tx.all<JobRow>(
      `SELECT ${jobColumns} FROM ${JOBS} WHERE tree_id = ? ORDER BY position`,
      [treeId],
    );
    return {
      treeId,
      tags: tags.map((row) => row.tag),
      context: parseObject(tree.context),
      createdAt: Number(tree.created_at),
      aborted: Number(tree.aborted) === 1,
      jobs: depthFirst(rows, treeId),
    };
  }

  /** Trees newest first, optionally those carrying `query.tag`, and how many match. */
  async listTrees(tx: SqlTransaction, query: TreeQuery): Promise<{ trees: TreeSummary[]; total: number }> {
    const columns = 't.tree_id, t.created_at, t.finished_at, r.type, r.title, r.state';
    // No limit: SQLite spells it -1, PostgreSQL NULL.
    const page = [query.limit ?? (this.dialect === 'sqlite' ? -1 : null), query.offset ?? 0];
    const [rows, counted] = query.tag
      ? [
          await tx.all<SummaryRow>(
            `SELECT ${columns} FROM ${TAGS} g JOIN ${TREES} t ON t.tree_id = g.tree_id JOIN ${JOBS} r ON r.id = t.tree_id ` +
              'WHERE g.tag = ? ORDER BY g.created_at DESC, g.tree_id DESC LIMIT ? OFFSET ?',
            [query.tag, ...page],
          ),
          await tx.all<{ total: number | string }>(`SELECT COUNT(*) AS total FROM ${TAGS} WHERE tag = ?`, [
            query.tag,
          ]),
        ]
      : [
          await tx.all<SummaryRow>(
            `SELECT ${columns} FROM ${TREES} t JOIN ${JOBS} r ON r.id = t.tree_id ` +
              'ORDER BY t.created_at DESC, t.tree_id DESC LIMIT ? OFFSET ?',
            page,
          ),
          await tx.all<{ total: number | string }>(`SELECT COUNT(*) AS total FROM ${TREES}`),
        ];
    const tags = new Map<string, string[]>();
    if (rows.length > 0) {
      const tagRows = await tx.all<{ tree_id: string; tag: string }>(
        `SELECT tree_id, tag FROM ${TAGS} WHERE tree_id IN (${placeholders(rows.length)}) ORDER BY tree_id, position`,
        rows.map((row) => row.tree_id),
      );
      for (const { tree_id, tag } of tagRows) appendTo(tags, tree_id, tag);
    }
    const trees = rows.map((row): TreeSummary => {
      const summary: TreeSummary = {
        treeId: row.tree_id,
        type: row.type,
        title: row.title,
        state: row.state,
        tags: tags.get(row.tree_id) ?? [],
        createdAt: Number(row.created_at),
      };
      const finishedAt = optionalTime(row.finished_at);
      if (finishedAt !== undefined) summary.finishedAt = finishedAt;
      return summary;
    });
    return { trees, total: Number(counted[0]?.total ?? 0) };
  }

  /** Deletes trees whose root finished before `finishedBefore` and that run nothing; returns their job ids. */
  async pruneFinishedTrees(tx: SqlTransaction, finishedBefore: number): Promise<string[]> {
    const trees = await tx.all<{ tree_id: string }>(
      `SELECT t.tree_id FROM ${TREES} t WHERE t.finished_at < ? AND NOT EXISTS ` +
        `(SELECT 1 FROM ${JOBS} j WHERE j.tree_id = t.tree_id AND j.state = 'RUNNING')`,
      [finishedBefore],
    );
    const jobIds: string[] = [];
    for (let start = 0; start < trees.length; start += pruneBatch) {
      const ids = trees.slice(start, start + pruneBatch).map((row) => row.tree_id);
      const list = placeholders(ids.length);
      const jobs = await tx.all<{ id: string }>(
        `SELECT id FROM ${JOBS} WHERE tree_id IN (${list}) ORDER BY position`,
        ids,
      );
      jobIds.push(...jobs.map((job) => job.id));
      // Explicit deletes: a shared connection may not have foreign keys (and their cascades) on.
      await tx.run(`DELETE FROM ${TAGS} WHERE tree_id IN (${list})`, ids);
      await tx.run(`DELETE FROM ${JOBS} WHERE tree_id IN (${list})`, ids);
      await tx.run(`DELETE FROM ${TREES} WHERE tree_id IN (${list})`, ids);
    }
    return jobIds;
  }

  /** Every registered node and its info. */
  async nodes(tx: SqlTransaction): Promise<Record<string, { streamUrl?: string }>> {
    const rows = await tx.all<{ node_id: string; info: string }>(
      `SELECT node_id, info FROM ${NODES} ORDER BY node_id`,
    );
    return Object.fromEntries(
      rows.map((row) => [row.node_id, JSON.parse(row.info) as { streamUrl?: string }]),
    );
  }
}

/** Orders a tree's rows (given in insertion order) root first, then depth-first. */
function depthFirst(rows: readonly JobRow[], rootId: string): JobRecord[] {
  const children = new Map<string, string[]>();
  const byId = new Map<string, JobRow>();
  for (const row of rows) {
    byId.set(row.id, row);
    if (row.parent_id !== null) appendTo(children, row.parent_id, row.id);
  }
  const ordered: JobRecord[] = [];
  const stack = [rootId];
  while (stack.length > 0) {
    const id = stack.pop() as string;
    const row = byId.get(id);
    if (!row) continue;
    const childIds = children.get(id) ?? [];
    ordered.push(toJobRecord(row, childIds));
    for (let index = childIds.length - 1; index >= 0; index -= 1) stack.push(childIds[index] as string);
  }
  return ordered;
}

function appendTo(lists: Map<string, string[]>, key: string, value: string): void {
  const list = lists.get(key);
  if (list) list.push(value);
  else lists.set(key, [value]);
}
