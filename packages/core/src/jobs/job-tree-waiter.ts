import { isPaasmakerError, PaasmakerError } from '../kernel/errors';
import type { JobState } from '../kernel/providers/lifecycle-events';
import type { JobStore, TreeRecord } from './job-store';

const finished: ReadonlySet<JobState> = new Set(['SUCCESS', 'FAILED', 'ABORTED']);

/** True once a tree's root finished and none of its jobs runs any more. */
export function isTreeFinished(tree: TreeRecord): boolean {
  const root = tree.jobs[0];
  return root !== undefined && finished.has(root.state) && !tree.jobs.some((job) => job.state === 'RUNNING');
}

/**
 * Resolves with the tree once it is finished. Listens to the store's events and re-reads the
 * tree only when its root reaches a final state (and then, if jobs still run after an abort,
 * when each of those finishes), so waiting costs nothing while the tree runs.
 */
export async function waitForTree(
  store: JobStore,
  treeId: string,
  signal?: AbortSignal,
): Promise<TreeRecord> {
  let wake: () => void = () => {};
  let pending = false;
  let rootFinished = false;
  const unsubscribe = await store.subscribe((event) => {
    if (event.kind !== 'state' || event.treeId !== treeId || !finished.has(event.state)) return;
    if (event.jobId === treeId || rootFinished) {
      pending = true;
      wake();
    }
  });
  const notFound = () =>
    new PaasmakerError('E_JOB_NOT_FOUND', `no job tree has id ${JSON.stringify(treeId)}.`);
  try {
    for (;;) {
      pending = false;
      if (!rootFinished) {
        // Until the root finished, its record is all that matters: no need to read the tree.
        const root = await readThroughOutages(() => store.getJob(treeId), signal);
        if (!root) throw notFound();
        rootFinished = finished.has(root.state);
      }
      if (rootFinished) {
        // From here on every job finishing wakes the loop, also while the tree is being read.
        const tree = await readThroughOutages(() => store.getTree(treeId), signal);
        if (!tree) throw notFound();
        if (isTreeFinished(tree)) return tree;
      }
      if (!pending) {
        await new Promise<void>((resolve, reject) => {
          wake = resolve;
          if (signal?.aborted) reject(signal.reason);
          signal?.addEventListener('abort', () => reject(signal.reason), { once: true });
        });
      }
    }
  } finally {
    await unsubscribe();
  }
}

/** Waiting is passive: while the store is unreachable, keep trying (its events resume by themselves). */
async function readThroughOutages<T>(read: () => Promise<T>, signal?: AbortSignal): Promise<T> {
  for (let delay = 100; ; delay = Math.min(delay * 2, 1_000)) {
    try {
      return await read();
    } catch (error) {
      if (!isPaasmakerError(error, 'E_JOBS_UNAVAILABLE') || signal?.aborted) throw error;
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}
