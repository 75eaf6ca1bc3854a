export { hostnameCandidates, normaliseHost } from './hostname';
export { MemoryRouterStatsStore } from './memory-router-stats-store';
export * from './nginx/index';
export { RedisRouterStatsStore, type RedisRouterStatsStoreOptions } from './redis-router-stats-store';
export type { Route, RouteLookup } from './route';
export { DEFAULT_CONNECT_TIMEOUT_MS, type Router, type RouterOptions, startRouter } from './router';
export { ROUTER_STAT_FIELDS, type RouterStatCounters } from './router-stat-counters';
export type { RouterStats } from './router-stats';
export {
  type RouterStatsPoint,
  type RouterStatsSeries,
  readRouterStatsSeries,
} from './router-stats-series';
export {
  minuteOf,
  ROUTER_STATS_RETENTION_MINUTES,
  type RouterStatsBatch,
  type RouterStatsKind,
  type RouterStatsQuery,
  type RouterStatsStore,
  UNCAUGHT_KEY,
} from './router-stats-store';
export { RoutingTable, type RoutingTableListener } from './routing-table';
