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
