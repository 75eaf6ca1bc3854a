import type { JobExecutor } from './job-executor';
import { type JobStore, relatedJobSummary } from './job-store';

/**
 * Re-reads what the store's events would have told this node, for when they may have been
 * missed (the events' connection came back after a loss, another process on a SQLite file, or
 * the periodic rescan): jobs ready on `nodeId`, and aborts of the trees whose jobs run here.
 */
export async function rereadMissedEvents(
  store: JobStore,
  executor: JobExecutor,
  nodeId: string,
): Promise<void> {
  executor.enqueue(await store.readyJobs(nodeId));
  for (const treeId of executor.runningTreeIds()) {
    const tree = await store.getTree(treeId);
    if (!tree?.aborted) continue;
    // An aborted root carries the abort's summary (a user's reason, or "related job"), as the
    // missed event did; a root still running (it is the running job) cannot say.
    const root = tree.jobs[0];
    const summary = root?.state === 'ABORTED' && root.summary ? root.summary : relatedJobSummary;
    executor.abortTree(treeId, summary);
  }
}
