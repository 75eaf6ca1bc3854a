import type { ApiClient, TreeView } from './api-client';
import type { CliContext } from './context';
import { followTree } from './job-commands';
import { treeFailure } from './tree-failure';

/** What `--no-follow` and `--json` leave of a command that starts a job tree. */
export interface FollowOptions {
  /** false with `--no-follow`. */
  follow?: boolean;
  json?: boolean;
}

/**
 * After an action started a job tree: follows it live like `job follow` (throwing the tree's
 * failure, exit 3) and resolves with the finished tree; with `--no-follow` prints the tree id
 * (or `{ treeId }` with `--json`) and resolves with undefined.
 */
export async function followStarted(
  context: CliContext,
  client: ApiClient,
  started: { treeId: string },
  options: FollowOptions,
  headline: string,
): Promise<TreeView | undefined> {
  if (options.follow === false) {
    if (options.json) context.json(started);
    else context.print(`${headline}: job tree ${started.treeId} (paasmaker job follow ${started.treeId}).`);
    return undefined;
  }
  if (!options.json) context.print(`${headline}: job tree ${started.treeId}`);
  const tree = await followTree(client, started.treeId, context, { interval: 500, json: options.json });
  const failure = treeFailure(tree);
  if (failure) throw failure;
  return tree;
}
