export {
  type CreateTreeOptions,
  createJobEngine,
  type JobEngine,
  type JobEngineOptions,
} from './job-engine';
export {
  type AbortResult,
  type ClaimedJob,
  isTreeEvent,
  type JobEvent,
  type JobRecord,
  type JobRef,
  type JobStore,
  type NewJob,
  type SubscribeOptions,
  type TreeQuery,
  type TreeRecord,
  type TreeSummary,
} from './job-store';
export { type JobTags, toTagStrings } from './job-tags';
export { countJobStates, type DrawnTree, formatJobTree, formatProgress } from './job-tree-format';
export { type ProgressOutput, showJobTreeProgress } from './job-tree-progress';
export { isTreeFinished } from './job-tree-waiter';
export {
  type FollowLogOptions,
  type FollowTreeOptions,
  type JobLogChunk,
  JobLogFiles,
  type JobLogFilesOptions,
  type JobLogger,
  JobStreamClient,
  type JobStreamClientMessage,
  type JobStreamClientOptions,
  type JobStreamErrorCode,
  type JobStreamErrorMessage,
  JobStreamServer,
  type JobStreamServerMessage,
  type JobStreamServerOptions,
  type JobStreamStore,
  type LogFollowHandle,
  type LogLinesMessage,
  type LogMissingMessage,
  type LogSubscribeMessage,
  type LogUnsubscribeMessage,
  type MaskedRange,
  MIN_SECRET_LENGTH,
  REDACTED,
  SecretMasker,
  type TreeEventMessage,
  type TreeFollowHandle,
  type TreeSnapshotMessage,
  type TreeSubscribeMessage,
  type TreeUnsubscribeMessage,
} from './logs/index';
export { createRedisJobStore, RedisJobStore, type RedisJobStoreOptions } from './redis/redis-job-store';
export { createSqlJobStore, SqlJobStore, type SqlJobStoreOptions } from './sql/index';
