export { hostnameCandidates, normaliseHost } from './hostname';
export * from './nginx/index';
export type { Route, RouteLookup } from './route';
export { DEFAULT_CONNECT_TIMEOUT_MS, type Router, type RouterOptions, startRouter } from './router';
export type { RouterStatCounters, RouterStats } from './router-stats';
export { RoutingTable, type RoutingTableListener } from './routing-table';
