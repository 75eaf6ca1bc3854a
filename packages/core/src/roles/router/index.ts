export { hostnameCandidates, normaliseHost } from './hostname';
export * from './nginx/index';
export type { Route, RouteLookup } from './route';
export { type Router, type RouterOptions, startRouter } from './router';
export type { RouterStatCounters, RouterStats } from './router-stats';
export { RoutingTable, type RoutingTableListener } from './routing-table';
