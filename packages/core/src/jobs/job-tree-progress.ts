import type { JobEngine } from './job-engine';
import type { TreeRecord } from './job-store';
import { formatJobTree, formatProgress } from './job-tree-format';
import { isTreeFinished } from './job-tree-waiter';

/** Where a progress view writes: a terminal (redrawn in place) or a file or pipe (plain lines). */
export interface ProgressOutput {
  write(text: string): unknown;
  isTTY?: boolean;
}

/**
 * Shows a tree live until it finishes, then resolves with it. On a terminal the tree and a
 * progress line are redrawn in place after every change; elsewhere each state change is one
 * plain line (`RUNNING  Compile`), and the finished tree is printed at the end.
 */
export async function showJobTreeProgress(
  engine: Pick<JobEngine, 'getTree' | 'subscribe' | 'nodeId'>,
  treeId: string,
  output: ProgressOutput,
): Promise<TreeRecord> {
  const titles = new Map<string, string>();
  let drawnLines = 0;
  let inFlight = false;
  let again = false;
  let settle: { resolve(tree: TreeRecord): void; reject(error: unknown): void } | undefined;
  const finished = new Promise<TreeRecord>((resolve, reject) => {
    settle = { resolve, reject };
  });

  const draw = (tree: TreeRecord): void => {
    const lines = [...formatJobTree(tree, engine.nodeId), formatProgress(tree)];
    const clear = drawnLines ? `\x1b[${drawnLines}F\x1b[J` : '';
    output.write(`${clear}${lines.join('\n')}\n`);
    drawnLines = lines.length;
  };
  // Re-reads the tree; at most one read in flight, changes meanwhile coalesce into one more.
  const refresh = (): void => {
    if (inFlight) {
      again = true;
      return;
    }
    inFlight = true;
    engine.getTree(treeId).then(
      (tree) => {
        inFlight = false;
        for (const job of tree.jobs) titles.set(job.id, job.title);
        const done = isTreeFinished(tree);
        if (output.isTTY || done) draw(tree);
        if (done) settle?.resolve(tree);
        else if (again) {
          again = false;
          refresh();
        }
      },
      (error: unknown) => settle?.reject(error),
    );
  };

  const unsubscribe = await engine.subscribe((event) => {
    if (event.treeId !== treeId) return;
    if (event.kind === 'state' && !output.isTTY) {
      const summary = event.summary && event.state !== 'RUNNING' ? ` — ${event.summary}` : '';
      output.write(`${event.state.padEnd(8)} ${titles.get(event.jobId) ?? event.jobId}${summary}\n`);
    }
    refresh();
  });
  try {
    refresh();
    return await finished;
  } finally {
    await unsubscribe();
  }
}
