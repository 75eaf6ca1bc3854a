import type { JobExecutor } from './job-executor';
import { type JobStore, relatedJobSummary } from './job-store';

/**
 * Re-reads what the store's events would have told this node, for when they may have been
 * missed (the events' connection came back after a loss, another process on a SQLite file, or
 * the periodic rescan): jobs ready on `nodeId`, and aborts of the trees whose jobs run here.
 * With `whenIdle` (the periodic rescan), ready jobs are only looked for while the executor has
 * no backlog: it has work queued for every slot, and scanning every WAITING job of a large tree
 * every few seconds would make a run's cost grow with the square of its size.
 */
export async function rereadMissedEvents(
  store: JobStore,
  executor: JobExecutor,
  nodeId: string,
  options: { whenIdle?: boolean } = {},
): Promise<void> {
  if (!options.whenIdle || !executor.hasBacklog()) executor.enqueue(await store.readyJobs(nodeId));
  for (const treeId of executor.runningTreeIds()) {
    // An abort marks every NEW or WAITING job ABORTED, the root too unless it runs: the root
    // alone tells (with the abort's summary, a user's reason or "related job"), without reading
    // the whole tree. Only a running root needs the tree's flag.
    const root = await store.getJob(treeId);
    let summary: string | undefined;
    if (root?.state === 'ABORTED') summary = root.summary || relatedJobSummary;
    else if (root?.state === 'RUNNING' && (await store.getTree(treeId))?.aborted) summary = relatedJobSummary;
    if (summary !== undefined) executor.abortTree(treeId, summary);
  }
}
