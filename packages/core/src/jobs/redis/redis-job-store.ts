import type { RedisOptions } from 'ioredis';
import { type Logger, pino } from 'pino';
import { requireDriver } from '../../drivers/require-driver';
import type { JsonObject, JsonValue } from '../../kernel/json-schema';
import type { JobState } from '../../kernel/providers/lifecycle-events';
import type {
  AbortResult,
  ClaimedJob,
  JobEvent,
  JobRecord,
  JobRef,
  JobStore,
  LapsedNodes,
  NewJob,
  NodeLease,
  SubscribeOptions,
  TreeQuery,
  TreeRecord,
  TreeSummary,
} from '../job-store';
import { lostNodeSummary, relatedJobSummary } from '../job-store';
import { jobStoreRedisOptions, RedisJobConnection } from './redis-job-connection';
import { RedisJobEvents } from './redis-job-events';
import { RedisJobKeys } from './redis-job-keys';
import {
  contextToArgs,
  hashFromReply,
  type JobFieldValues,
  jobFields,
  jobFromFields,
  jobsToArgs,
  jsonObjectFromReply,
  refsFromReply,
} from './redis-job-records';
import { defineRedisJobScripts, type RedisJobScripts } from './redis-job-scripts';

/** How to reach the Redis of a {@link RedisJobStore}. */
export interface RedisJobStoreOptions {
  /** `redis://[:password@]host:port[/db]`; default: ioredis's default (127.0.0.1:6379) or `redis`. */
  url?: string;
  /** ioredis options (TLS, password, timeouts...); the offline behaviour is the store's own. */
  redis?: RedisOptions;
  /** Prefix of every key and of the events channel; default `pm:jobs:`. */
  keyPrefix?: string;
  /** How long `init()` and the first `subscribe()` wait for a connection; default 5 s. */
  connectTimeoutMs?: number;
  /** Connection problems and listener errors are logged here; default: silent. */
  log?: Logger;
}

/** Trees deleted per script call by `pruneFinishedTrees`, so that one call never blocks Redis long. */
const pruneBatch = 100;

/**
 * The {@link JobStore} for clusters: every state change is one Lua script (`lua/jobs/`), run
 * atomically by Redis, which also publishes the change's events in the same script. Commands
 * fail at once with `E_JOBS_UNAVAILABLE` while Redis is down; the connection comes back by itself.
 */
export class RedisJobStore implements JobStore {
  readonly address: string;
  readonly overlapsCalls = true;
  private readonly keys: RedisJobKeys;
  private readonly connection: RedisJobConnection;
  private readonly scripts: RedisJobScripts;
  private readonly events: RedisJobEvents;
  private readonly connectTimeoutMs: number;

  /** Creates the store without connecting; `init()` connects. */
  constructor(options: RedisJobStoreOptions = {}) {
    const log = options.log ?? pino({ enabled: false });
    const settings = jobStoreRedisOptions(options.redis);
    const { Redis } = requireDriver('ioredis', 'the Redis job store');
    const redis = options.url ? new Redis(options.url, settings) : new Redis(settings);
    this.connection = new RedisJobConnection(redis, log);
    this.address = this.connection.address;
    this.keys = new RedisJobKeys(options.keyPrefix ?? 'pm:jobs:');
    this.scripts = defineRedisJobScripts(redis);
    this.connectTimeoutMs = options.connectTimeoutMs ?? 5_000;
    this.events = new RedisJobEvents(
      new RedisJobConnection(redis.duplicate(), log),
      { all: this.keys.events, tree: this.keys.treeEvents },
      log,
      this.connectTimeoutMs,
    );
  }

  async init(): Promise<void> {
    await this.connection.ready(this.connectTimeoutMs);
  }

  async createTree(tree: {
    jobs: NewJob[];
    tags: string[];
    createdAt: number;
    start: boolean;
  }): Promise<JobRef[]> {
    const { jobs, createdAt, start } = tree;
    const tags = [...new Set(tree.tags)];
    const reply = await this.run('createTree', [
      createdAt,
      start ? '1' : '0',
      JSON.stringify(tags),
      tags.length,
      ...tags,
      ...jobsToArgs(jobs),
    ]);
    return refsFromReply(listFromJson(reply as string));
  }

  async startTree(treeId: string): Promise<JobRef[]> {
    return refsFromReply((await this.run('startTree', [treeId])) as string[]);
  }

  async graft(parentId: string, jobs: NewJob[], createdAt: number): Promise<JobRef[]> {
    return refsFromReply((await this.run('graft', [parentId, createdAt, ...jobsToArgs(jobs)])) as string[]);
  }

  async claim(jobId: string, nodeId: string, now: number): Promise<ClaimedJob | undefined> {
    const reply = (await this.run('claim', [jobId, nodeId, now])) as ClaimReply | null;
    return reply ? claimedFromReply(reply) : undefined;
  }

  async claimMany(jobIds: readonly string[], nodeId: string, now: number): Promise<ClaimedJob[]> {
    if (jobIds.length === 0) return [];
    const replies = (await this.run('claimMany', [nodeId, now, ...jobIds])) as ClaimReply[];
    return replies.map(claimedFromReply);
  }

  async succeedMany(
    successes: readonly {
      jobId: string;
      outcome: { result?: JsonValue; context?: JsonObject; summary: string };
    }[],
    now: number,
    options: { claimFor?: string; claimNext?: readonly string[]; maxClaims?: number } = {},
  ): Promise<{ results: { recorded: boolean; readyParent?: JobRef }[]; claimed: ClaimedJob[] }> {
    const args: (string | number)[] = [
      now,
      relatedJobSummary,
      options.claimFor ?? '',
      options.maxClaims ?? '',
      successes.length,
    ];
    for (const { jobId, outcome } of successes) {
      const hasResult = outcome.result !== undefined;
      const context = contextToArgs(outcome.context);
      args.push(
        jobId,
        outcome.summary,
        hasResult ? '1' : '0',
        hasResult ? JSON.stringify(outcome.result) : '',
      );
      args.push(context.length, ...context);
    }
    if (options.claimFor) args.push(...(options.claimNext ?? []));
    const [results, claimed] = (await this.run('succeedMany', args)) as [
      [number, string, string][],
      ClaimReply[],
    ];
    return {
      results: results.map(([recorded, parentId, parentNodeId]) =>
        parentId
          ? { recorded: recorded === 1, readyParent: { jobId: parentId, nodeId: parentNodeId } }
          : { recorded: recorded === 1 },
      ),
      claimed: claimed.map(claimedFromReply),
    };
  }

  async succeed(
    jobId: string,
    outcome: { result?: JsonValue; context?: JsonObject; summary: string },
    now: number,
    options: { claimReadyParentFor?: string } = {},
  ): Promise<{ recorded: boolean; readyParent?: JobRef; claimedParent?: ClaimedJob }> {
    const hasResult = outcome.result !== undefined;
    const reply = (await this.run('succeed', [
      jobId,
      now,
      outcome.summary,
      relatedJobSummary,
      hasResult ? '1' : '0',
      hasResult ? JSON.stringify(outcome.result) : '',
      options.claimReadyParentFor ?? '',
      ...contextToArgs(outcome.context),
    ])) as [number, string?, string?, ClaimReply?];
    const [recorded, parentId, parentNodeId, claim] = reply;
    if (parentId === undefined || parentNodeId === undefined) return { recorded: recorded === 1 };
    if (claim) return { recorded: recorded === 1, claimedParent: claimedFromReply(claim) };
    return { recorded: recorded === 1, readyParent: { jobId: parentId, nodeId: parentNodeId } };
  }

  async fail(jobId: string, summary: string, now: number): Promise<AbortResult> {
    const reply = (await this.run('fail', [jobId, summary, now, relatedJobSummary])) as string[];
    return { treeId: reply[0] as string, running: refsFromReply(reply, 1) };
  }

  async abortTree(jobId: string, summary: string, now: number): Promise<AbortResult> {
    const reply = (await this.run('abortTree', [jobId, summary, now])) as string[];
    return { treeId: reply[0] as string, running: refsFromReply(reply, 1) };
  }

  async markAborted(jobId: string, summary: string, now: number): Promise<void> {
    await this.run('markAborted', [jobId, summary, now, relatedJobSummary]);
  }

  async failRunningJobsOf(nodeId: string, summary: string, now: number): Promise<string[]> {
    return (await this.run('failRunningJobsOf', [nodeId, summary, now, relatedJobSummary])) as string[];
  }

  async leaseNode(nodeId: string, holder: string, expiresAt: number, now: number): Promise<NodeLease> {
    const reply = (await this.run('leaseNode', [nodeId, holder, expiresAt, now])) as [
      number,
      string?,
      string?,
    ];
    if (reply[0] === 1) return { held: true };
    return { held: false, holder: reply[1] as string, expiresAt: Number(reply[2]) };
  }

  async releaseNode(nodeId: string, holder: string): Promise<void> {
    await this.run('releaseNode', [nodeId, holder]);
  }

  async failLapsedNodes(now: number): Promise<LapsedNodes> {
    const [before, after] = lostNodeSummary('\u0000').split('\u0000') as [string, string];
    const [nodeIds, treeIds] = (await this.run('failLapsedNodes', [
      now,
      relatedJobSummary,
      before,
      after,
    ])) as [string[], string[]];
    return { nodeIds, treeIds };
  }

  async readyJobs(nodeId: string): Promise<string[]> {
    return (await this.run('readyJobs', [nodeId])) as string[];
  }

  async getJob(jobId: string): Promise<JobRecord | undefined> {
    const replies = await this.command(() =>
      this.connection.redis
        .multi()
        .hmget(this.keys.job(jobId), ...jobFields)
        .lrange(this.keys.children(jobId), 0, -1)
        .exec(),
    );
    const [[fieldsError, fields], [childrenError, childIds]] = replies as [
      [Error | null, JobFieldValues],
      [Error | null, string[]],
    ];
    if (fieldsError || childrenError) throw this.connection.toError(fieldsError ?? childrenError);
    if (!fields[0]) return undefined;
    return jobFromFields(fields, childIds);
  }

  async getTree(treeId: string): Promise<TreeRecord | undefined> {
    const text = (await this.run('getTree', [treeId])) as string | null;
    if (!text) return undefined;
    const reply = listsFromJson(text);
    const tree = hashFromReply(reply[0] as string[]);
    const jobs: JobRecord[] = [];
    for (let i = 2; i + 1 < reply.length; i += 2) {
      jobs.push(jobFromFields(reply[i] as JobFieldValues, reply[i + 1] as string[]));
    }
    return {
      treeId,
      tags: JSON.parse(tree.tags ?? '[]') as string[],
      context: jsonObjectFromReply(reply[1] as string[]),
      createdAt: Number(tree.createdAt),
      aborted: tree.aborted === '1',
      jobs,
    };
  }

  async listTrees(query: TreeQuery): Promise<{ trees: TreeSummary[]; total: number }> {
    const offset = Math.max(0, Math.floor(query.offset ?? 0));
    const limit = query.limit === undefined ? -1 : Math.max(0, Math.floor(query.limit));
    const reply = (await this.run('listTrees', [query.tag ?? '', offset, limit])) as [number, ...string[]];
    const trees: TreeSummary[] = [];
    for (let i = 1; i + 6 < reply.length; i += 7) {
      const [treeId, createdAt, tags, type, title, state, finishedAt] = reply.slice(i, i + 7) as string[];
      const summary: TreeSummary = {
        treeId: treeId as string,
        type: type as string,
        title: title as string,
        state: state as JobState,
        tags: JSON.parse(tags as string) as string[],
        createdAt: Number(createdAt),
      };
      if (finishedAt) summary.finishedAt = Number(finishedAt);
      trees.push(summary);
    }
    return { trees, total: reply[0] };
  }

  async pruneFinishedTrees(finishedBefore: number): Promise<string[]> {
    const deleted: string[] = [];
    let skipped = 0;
    for (;;) {
      const reply = (await this.run('pruneFinishedTrees', [finishedBefore, skipped, pruneBatch])) as [
        number,
        number,
        ...string[],
      ];
      const [examined, skippedNow] = reply;
      // One push per id: a spread of a large tree's ids would overflow the call stack.
      for (let i = 2; i < reply.length; i++) deleted.push(reply[i] as string);
      skipped += skippedNow;
      if (examined < pruneBatch) return deleted;
    }
  }

  async registerNode(nodeId: string, info: { streamUrl?: string }): Promise<void> {
    await this.command(() => this.connection.redis.hset(this.keys.nodes, nodeId, JSON.stringify(info)));
  }

  async nodes(): Promise<Record<string, { streamUrl?: string }>> {
    const hash = await this.command(() => this.connection.redis.hgetall(this.keys.nodes));
    return Object.fromEntries(Object.entries(hash).map(([nodeId, info]) => [nodeId, JSON.parse(info)]));
  }

  subscribe(listener: (event: JobEvent) => void, options?: SubscribeOptions): Promise<() => Promise<void>> {
    return this.events.subscribe(listener, options);
  }

  async close(): Promise<void> {
    await Promise.all([this.events.close(), this.connection.close()]);
  }

  private run(script: keyof RedisJobScripts, argv: (string | number)[]): Promise<unknown> {
    return this.command(() => this.scripts[script](this.keys.prefix, argv));
  }

  private async command<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      throw this.connection.toError(error);
    }
  }
}

/** A {@link RedisJobStore}; call `init()` before using it and `close()` when done. */
export function createRedisJobStore(options: RedisJobStoreOptions = {}): RedisJobStore {
  return new RedisJobStore(options);
}

/** A list a script encoded with cjson, which writes an empty list as `{}`. */
function listFromJson(text: string): string[] {
  const list: unknown = JSON.parse(text);
  return Array.isArray(list) ? (list as string[]) : [];
}

/** A list of lists a script encoded with cjson (any of them empty may read `{}`). */
function listsFromJson(text: string): unknown[][] {
  const lists: unknown = JSON.parse(text);
  return Array.isArray(lists) ? lists.map((list: unknown) => (Array.isArray(list) ? list : [])) : [];
}

/**
 * What the claim script (and succeed, when it claims the parent) replies: JSON of
 * `[job fields (jobFields order), child ids, context HGETALL, [childId, result JSON, ...]]`,
 * where Lua's cjson writes an empty list as `{}`.
 */
type ClaimReply = string;

function claimedFromReply(reply: ClaimReply): ClaimedJob {
  const [job = [], childIds = [], context = [], childResults = []] = listsFromJson(reply);
  return {
    job: jobFromFields(job as JobFieldValues, childIds as string[]),
    context: jsonObjectFromReply(context as string[]),
    childResults: jsonObjectFromReply(childResults as string[]),
  };
}
