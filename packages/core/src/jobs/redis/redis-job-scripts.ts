import type { Redis } from 'ioredis';
import abortTree from '../../../../../lua/jobs/abort-tree-1.lua';
import claim from '../../../../../lua/jobs/claim-1.lua';
import claimMany from '../../../../../lua/jobs/claim-many-1.lua';
import createTree from '../../../../../lua/jobs/create-tree-1.lua';
import fail from '../../../../../lua/jobs/fail-1.lua';
import failLapsedNodes from '../../../../../lua/jobs/fail-lapsed-nodes-1.lua';
import failRunningJobsOf from '../../../../../lua/jobs/fail-running-jobs-of-1.lua';
import getTree from '../../../../../lua/jobs/get-tree-1.lua';
import graft from '../../../../../lua/jobs/graft-1.lua';
import helpers from '../../../../../lua/jobs/includes/job-helpers.lua';
import leaseNode from '../../../../../lua/jobs/lease-node-1.lua';
import listTrees from '../../../../../lua/jobs/list-trees-1.lua';
import markAborted from '../../../../../lua/jobs/mark-aborted-1.lua';
import pruneFinishedTrees from '../../../../../lua/jobs/prune-finished-trees-1.lua';
import readyJobs from '../../../../../lua/jobs/ready-jobs-1.lua';
import releaseNode from '../../../../../lua/jobs/release-node-1.lua';
import startTree from '../../../../../lua/jobs/start-tree-1.lua';
import succeed from '../../../../../lua/jobs/succeed-1.lua';
import succeedMany from '../../../../../lua/jobs/succeed-many-1.lua';

/** The scripts by the name the store calls them; each takes the key prefix as KEYS[1]. */
const scriptSources = {
  createTree,
  startTree,
  graft,
  claim,
  claimMany,
  succeed,
  succeedMany,
  fail,
  abortTree,
  markAborted,
  failRunningJobsOf,
  leaseNode,
  releaseNode,
  failLapsedNodes,
  readyJobs,
  getTree,
  listTrees,
  pruneFinishedTrees,
} as const;

/**
 * Calls one script with the key prefix and its arguments as one array (ioredis flattens it): a
 * tree of 100,000 jobs has 600,000 arguments, far more than a JavaScript call can spread.
 */
export type RedisJobScript = (prefix: string, argv: readonly (string | number)[]) => Promise<unknown>;

/** Every job store script, callable on the connection it was defined on. */
export type RedisJobScripts = Record<keyof typeof scriptSources, RedisJobScript>;

/**
 * Registers the job store's Lua scripts on `redis` with `defineCommand` (each prefixed with the
 * shared helpers). ioredis sends them with EVALSHA and re-sends a script's text by itself after
 * NOSCRIPT, so they survive a Redis restart or SCRIPT FLUSH.
 */
export function defineRedisJobScripts(redis: Redis): RedisJobScripts {
  const commands = redis as unknown as Record<string, RedisJobScript>;
  const scripts: Partial<RedisJobScripts> = {};
  for (const [name, source] of Object.entries(scriptSources) as [keyof RedisJobScripts, string][]) {
    const command = `pmJobs_${name}`;
    redis.defineCommand(command, { numberOfKeys: 1, lua: `${helpers}\n${source}` });
    scripts[name] = (prefix, argv) => commands[command]?.(prefix, argv) as Promise<unknown>;
  }
  return scripts as RedisJobScripts;
}
