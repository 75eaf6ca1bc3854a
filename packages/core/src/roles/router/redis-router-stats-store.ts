import type { Redis } from 'ioredis';
import { emptyCounters, ROUTER_STAT_FIELDS, type RouterStatCounters } from './router-stat-counters';
import {
  ROUTER_STATS_RETENTION_MINUTES,
  type RouterStatsBatch,
  type RouterStatsKind,
  type RouterStatsQuery,
  type RouterStatsStore,
} from './router-stats-store';

/** Options of {@link RedisRouterStatsStore}. */
export interface RedisRouterStatsStoreOptions {
  /** The Redis nginx routers write their stats to (the one they read the routing table from); the caller closes it. */
  redis: Redis;
  /** Key prefix; default `pm:router:`, as the routers are given. */
  prefix?: string;
}

/** The kind's part of a minute hash's name, as `lua/router/paasmaker_router.lua` writes it. */
const KIND_KEYS: Record<RouterStatsKind, string> = {
  versionType: 'vt',
  node: 'node',
  instance: 'instance',
  uncaught: 'uncaught',
};

/** A minute hash outlives the retention by an hour, so a read at its edge finds it whole. */
const TTL_SECONDS = (ROUTER_STATS_RETENTION_MINUTES + 60) * 60;

/**
 * Router stats in Redis, in the layout the nginx router's Lua writes: one hash per minute and
 * kind, `<prefix>stats:<minute>:<vt|node|instance|uncaught>`, field `<key> <counter>` (say
 * `42 requests`), each expiring a day and an hour after its last write (made within its minute, or soon after).
 */
export class RedisRouterStatsStore implements RouterStatsStore {
  readonly #redis: Redis;
  readonly #prefix: string;

  constructor(options: RedisRouterStatsStoreOptions) {
    this.#redis = options.redis;
    this.#prefix = options.prefix ?? 'pm:router:';
  }

  #hash(minute: number, kind: RouterStatsKind): string {
    return `${this.#prefix}stats:${minute}:${KIND_KEYS[kind]}`;
  }

  async add(minute: number, batch: RouterStatsBatch): Promise<void> {
    const pipeline = this.#redis.pipeline();
    let writes = 0;
    for (const kind of Object.keys(KIND_KEYS) as RouterStatsKind[]) {
      if (batch[kind].size === 0) continue;
      const hash = this.#hash(minute, kind);
      for (const [key, counters] of batch[kind])
        for (const field of ROUTER_STAT_FIELDS)
          if (counters[field] !== 0 || field === 'requests') {
            // Whole numbers only (HINCRBY, as the Lua writes): the built-in router times in fractions of a millisecond.
            pipeline.hincrby(hash, `${key} ${field}`, Math.round(counters[field]));
            writes += 1;
          }
      pipeline.expire(hash, TTL_SECONDS);
    }
    if (writes === 0) return;
    const results = (await pipeline.exec()) ?? [];
    const failed = results.find(([error]) => error);
    if (failed?.[0]) throw failed[0];
  }

  async read({ kind, keys, from, to }: RouterStatsQuery): Promise<Map<number, RouterStatCounters>> {
    const found = new Map<number, RouterStatCounters>();
    if (keys.length === 0 || to < from) return found;
    const fields = keys.flatMap((key) => ROUTER_STAT_FIELDS.map((field) => `${key} ${field}`));
    const pipeline = this.#redis.pipeline();
    for (let minute = from; minute <= to; minute += 1) pipeline.hmget(this.#hash(minute, kind), ...fields);
    const results = (await pipeline.exec()) ?? [];
    results.forEach(([error, values], index) => {
      if (error) throw error;
      const counters = sumValues(values as (string | null)[]);
      if (counters) found.set(from + index, counters);
    });
    return found;
  }

  /** Nothing to release: the Redis connection is the caller's. */
  async close(): Promise<void> {}
}

/** The HMGET answer (every key's counters in field order) summed, or undefined when all are missing. */
function sumValues(values: readonly (string | null)[]): RouterStatCounters | undefined {
  let sum: RouterStatCounters | undefined;
  values.forEach((value, index) => {
    if (value === null) return;
    sum ??= emptyCounters();
    const field = ROUTER_STAT_FIELDS[index % ROUTER_STAT_FIELDS.length];
    if (field) sum[field] += Number(value);
  });
  return sum;
}
