import type { JobState } from '../kernel/providers/lifecycle-events';
import type { JobRecord } from './job-store';

/** What drawing a tree reads: a `TreeRecord`, or a tree as an API client received it. */
export interface DrawnTree {
  readonly jobs: readonly DrawnJob[];
}
type DrawnJob = Pick<JobRecord, 'id' | 'nodeId' | 'title' | 'state' | 'summary' | 'childIds'>;

const marks: Record<JobState, string> = {
  NEW: '·',
  WAITING: '…',
  RUNNING: '▶',
  SUCCESS: '✓',
  FAILED: '✗',
  ABORTED: '■',
};

/** Counts of a tree's jobs by state, and how many finished. */
export function countJobStates(
  tree: DrawnTree,
): { total: number; finished: number } & Record<JobState, number> {
  const counts = { total: 0, finished: 0, NEW: 0, WAITING: 0, RUNNING: 0, SUCCESS: 0, FAILED: 0, ABORTED: 0 };
  for (const job of tree.jobs) {
    counts.total += 1;
    counts[job.state] += 1;
  }
  counts.finished = counts.SUCCESS + counts.FAILED + counts.ABORTED;
  return counts;
}

/**
 * A tree as indented lines, children under their parent:
 * `✓ Build release — Completed.` or `… Deploy to web-2 (waiting on node web-2)`.
 * `nodeId`, when given, is the node the reader is on; jobs elsewhere name their node.
 */
export function formatJobTree(tree: DrawnTree, nodeId?: string): string[] {
  const byId = new Map(tree.jobs.map((job) => [job.id, job]));
  const lines: string[] = [];
  const visit = (job: DrawnJob, depth: number): void => {
    lines.push(`${'  '.repeat(depth)}${marks[job.state]} ${job.title}${describe(job, nodeId)}`);
    for (const childId of job.childIds) {
      const child = byId.get(childId);
      if (child) visit(child, depth + 1);
    }
  };
  const root = tree.jobs[0];
  if (root) visit(root, 0);
  return lines;
}

/** One line: `3/7 jobs finished, 2 running`. */
export function formatProgress(tree: DrawnTree): string {
  const counts = countJobStates(tree);
  const parts = [`${counts.finished}/${counts.total} jobs finished`];
  if (counts.RUNNING) parts.push(`${counts.RUNNING} running`);
  if (counts.FAILED) parts.push(`${counts.FAILED} failed`);
  if (counts.ABORTED) parts.push(`${counts.ABORTED} aborted`);
  return parts.join(', ');
}

function describe(job: DrawnJob, nodeId: string | undefined): string {
  if (job.state === 'WAITING' && nodeId !== undefined && job.nodeId !== nodeId)
    return ` (waiting on node ${job.nodeId})`;
  if (job.state === 'RUNNING' && nodeId !== undefined && job.nodeId !== nodeId)
    return ` (running on node ${job.nodeId})`;
  return job.summary && job.state !== 'RUNNING' ? ` — ${job.summary}` : '';
}
