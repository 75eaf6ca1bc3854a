// @ts-check
// The reference column of bench:jobs: the least a Redis job tree engine can do per job — two
// EVALSHA (claim: RPOP + 2 HSET; complete: HDEL, HSET, HGET, HINCRBY, and HSET + LPUSH when the
// parent becomes ready) on an auto-pipelined ioredis connection, with `concurrency` workers in
// one process. None of Paasmaker's semantics: no events, no abort, no tags, no context, no
// results, no leases, no second node. It shows how close the real engine comes to the floor.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Redis } from 'ioredis';

const lua = (/** @type {string} */ name) =>
  readFileSync(new URL(`./minimal/${name}`, import.meta.url), 'utf8');

/**
 * @typedef {{ title: string, children: TreeNode[] }} TreeNode
 * @typedef {{ claimJob(prefix: string, node: string): Promise<string | null>,
 *   completeJob(prefix: string, id: string): Promise<number> }} MinimalCommands
 */

/** @param {{ url: string, concurrency: number, prefix: string }} options */
export async function createMinimalEngine({ url, concurrency, prefix }) {
  const redis = new Redis(url, { enableAutoPipelining: true });
  redis.defineCommand('claimJob', { numberOfKeys: 1, lua: lua('claim.lua') });
  redis.defineCommand('completeJob', { numberOfKeys: 1, lua: lua('complete.lua') });
  const commands = /** @type {MinimalCommands} */ (/** @type {unknown} */ (redis));
  /** @type {(() => void)[]} */
  let idle = [];
  const wakeAll = () => {
    for (const wake of idle.splice(0)) wake();
  };

  /** Creates the tree (pipelined HSETs, then the leaves pushed) and runs it to its root's end. */
  async function run(/** @type {TreeNode} */ tree) {
    /** @type {string[]} */
    const leaves = [];
    const pipeline = redis.pipeline();
    /** @type {[TreeNode, string][]} */
    const stack = [[tree, '']];
    for (let entry = stack.pop(); entry; entry = stack.pop()) {
      const [node, parent] = entry;
      const id = randomUUID();
      pipeline.hset(
        `${prefix}job:${id}`,
        'parent',
        parent,
        'pending',
        node.children.length,
        'state',
        'WAITING',
      );
      if (node.children.length === 0) leaves.push(id);
      for (const child of node.children) stack.push([child, id]);
    }
    for (let i = 0; i < leaves.length; i += 1000)
      pipeline.lpush(`${prefix}ready`, ...leaves.slice(i, i + 1000));
    await pipeline.exec();

    let done = false;
    const worker = async () => {
      while (!done) {
        const id = await commands.claimJob(prefix, 'bench');
        if (id === null) {
          await new Promise((resolve) => idle.push(() => resolve(undefined)));
          continue;
        }
        await noop();
        if ((await commands.completeJob(prefix, id)) === 1) done = true;
        wakeAll();
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
  }

  return {
    run,
    close: async () => {
      idle = [];
      await redis.quit();
    },
  };
}

/** The job itself: nothing, asynchronously, as the other engines' no-op handlers. */
const noop = async () => undefined;
