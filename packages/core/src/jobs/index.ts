export {
  type CreateTreeOptions,
  createJobEngine,
  type JobEngine,
  type JobEngineOptions,
} from './job-engine';
export type {
  AbortResult,
  ClaimedJob,
  JobEvent,
  JobRecord,
  JobRef,
  JobStore,
  NewJob,
  TreeQuery,
  TreeRecord,
  TreeSummary,
} from './job-store';
export { type JobTags, toTagStrings } from './job-tags';
export { isTreeFinished } from './job-tree-waiter';
export { countJobStates, formatJobTree, formatProgress } from './job-tree-format';
export { type ProgressOutput, showJobTreeProgress } from './job-tree-progress';
export { createRedisJobStore, RedisJobStore, type RedisJobStoreOptions } from './redis/redis-job-store';
