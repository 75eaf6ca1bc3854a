import type { RouterStatCounters } from './router-stat-counters';

/**
 * What a stats key counts: a version's instance type (`Route.versionTypeKey`), a node
 * (`Route.nodeId`), an instance (`Route.instanceId`), or `uncaught` (requests no
 * instance was picked for; its only key is {@link UNCAUGHT_KEY}).
 */
export type RouterStatsKind = 'versionType' | 'node' | 'instance' | 'uncaught';

/** The one key of the `uncaught` kind. */
export const UNCAUGHT_KEY = 'all';

/** Counts to add for one minute: per kind, stats key to counters. */
export type RouterStatsBatch = Readonly<Record<RouterStatsKind, ReadonlyMap<string, RouterStatCounters>>>;

/** Which counters {@link RouterStatsStore.read} sums: `keys` of `kind`, for the minutes `from` to `to` (inclusive). */
export interface RouterStatsQuery {
  readonly kind: RouterStatsKind;
  readonly keys: readonly string[];
  readonly from: number;
  readonly to: number;
}

/** How many minutes of history a store keeps (24 hours); older minutes are dropped. */
export const ROUTER_STATS_RETENTION_MINUTES = 24 * 60;

/** The minute `ms` (epoch milliseconds) falls in, as whole minutes since the epoch. */
export function minuteOf(ms: number): number {
  return Math.floor(ms / 60_000);
}

/**
 * Where routers add their counts, per minute, and the pacemaker API reads them: in Redis where
 * nginx routers write theirs (`RedisRouterStatsStore`), or in the pacemaker's memory for the
 * embedded one-machine layout (`MemoryRouterStatsStore`). Minutes older than
 * {@link ROUTER_STATS_RETENTION_MINUTES} are dropped.
 */
export interface RouterStatsStore {
  /** Adds `batch` to minute `minute` (see {@link minuteOf}). */
  add(minute: number, batch: RouterStatsBatch): Promise<void>;
  /** The counters the query names, summed per minute; minutes with no counts are absent from the map. */
  read(query: RouterStatsQuery): Promise<Map<number, RouterStatCounters>>;
  /** Releases what the store holds open (a Redis connection); the store is not used after. */
  close(): Promise<void>;
}
