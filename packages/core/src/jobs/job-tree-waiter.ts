import { isPaasmakerError, PaasmakerError } from '../kernel/errors';
import type { JobState } from '../kernel/providers/lifecycle-events';
import type { JobEvent, JobRecord, JobStore, TreeRecord } from './job-store';

const finished: ReadonlySet<JobState> = new Set(['SUCCESS', 'FAILED', 'ABORTED']);

/** True once a tree's root finished and none of its jobs runs any more. */
export function isTreeFinished(tree: { readonly jobs: readonly Pick<JobRecord, 'state'>[] }): boolean {
  const root = tree.jobs[0];
  return root !== undefined && finished.has(root.state) && !tree.jobs.some((job) => job.state === 'RUNNING');
}

/**
 * Resolves with the tree once it is finished. Listens to the store's tree events and re-reads
 * the tree when its root reaches a final state (and then, if jobs still run after an abort,
 * listens to every event and re-reads when each of those finishes). Events can be missed (a
 * reconnect; SQLite in another process), so it also re-reads after the events' connection
 * listens again and every `rereadIntervalMs` (default 5 s): one cheap read of the root while
 * the tree runs.
 */
export async function waitForTree(
  store: JobStore,
  treeId: string,
  options: { signal?: AbortSignal; rereadIntervalMs?: number } = {},
): Promise<TreeRecord> {
  const { signal } = options;
  let wake: () => void = () => {};
  let stop: (reason: unknown) => void = () => {};
  let pending = false;
  let rootFinished = false;
  const reread = (): void => {
    pending = true;
    wake();
  };
  const listener = (event: JobEvent): void => {
    if (event.kind !== 'state' || event.treeId !== treeId || !finished.has(event.state)) return;
    if (event.jobId === treeId || rootFinished) reread();
  };
  // Until the root ends, its state events (tree events) are all that matters.
  const unsubscribers = [await store.subscribe(listener, { onResubscribed: reread, treeEventsOnly: true })];
  const poll = setInterval(reread, options.rereadIntervalMs ?? 5_000);
  const onAbort = (): void => stop(signal?.reason);
  signal?.addEventListener('abort', onAbort, { once: true });
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
        // Once the root finished, every job finishing wakes the loop (job events: see below).
        const tree = await readThroughOutages(() => store.getTree(treeId), signal);
        if (!tree) throw notFound();
        if (isTreeFinished(tree)) return tree;
        if (unsubscribers.length === 1) {
          // Jobs still run after the root ended (an abort waits for them): their ends are job
          // events. One may have ended before this subscription listened: read again at once.
          unsubscribers.push(await readThroughOutages(() => store.subscribe(listener), signal));
          continue;
        }
      }
      if (!pending) {
        await new Promise<void>((resolve, reject) => {
          wake = resolve;
          stop = reject;
          if (signal?.aborted) reject(signal.reason);
        });
      }
    }
  } finally {
    clearInterval(poll);
    signal?.removeEventListener('abort', onAbort);
    for (const unsubscribe of unsubscribers) await unsubscribe();
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
