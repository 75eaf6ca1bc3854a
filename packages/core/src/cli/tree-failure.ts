import type { TreeView } from './api-client';
import { CliError, EXIT } from './errors';

/**
 * The error of a tree that ended FAILED or ABORTED (exit 3): the root's state, the title and
 * summary of the job that failed (not of those aborted because of it) and the command that
 * prints its log; undefined when it succeeded.
 */
export function treeFailure(tree: TreeView): CliError | undefined {
  const root = tree.jobs[0];
  if (!root || (root.state !== 'FAILED' && root.state !== 'ABORTED')) return undefined;
  const failed = tree.jobs.find((job) => job.state === 'FAILED');
  const culprit = failed ?? root;
  // The state is said once: "ended FAILED: Upload: disk full", not "…: Upload: Failed: disk full".
  const summary = culprit.summary?.replace(/^(Failed|Aborted): /, '');
  const what = summary ? `: ${culprit.title}: ${summary}` : '';
  const log = failed ? ` (its log: paasmaker job log ${failed.id})` : '';
  return new CliError(`job tree ${tree.treeId} ended ${root.state}${what}${log}`, EXIT.jobFailed);
}
