export { type JobLogChunk, JobLogFiles, type JobLogFilesOptions, type JobLogger } from './job-log-files';
export { type JobLogSources, readJobLog, serveJobLogRequest } from './job-log-http';
export {
  type FollowLogOptions,
  type FollowTreeOptions,
  JobStreamClient,
  type JobStreamClientOptions,
  type LogFollowHandle,
  type TreeFollowHandle,
} from './job-stream-client';
export type {
  JobStreamClientMessage,
  JobStreamErrorCode,
  JobStreamErrorMessage,
  JobStreamServerMessage,
  LogLinesMessage,
  LogMissingMessage,
  LogSubscribeMessage,
  LogUnsubscribeMessage,
  TreeEventMessage,
  TreeSnapshotMessage,
  TreeSubscribeMessage,
  TreeUnsubscribeMessage,
} from './job-stream-protocol';
export {
  JobStreamServer,
  type JobStreamServerOptions,
  type JobStreamStore,
  type NodeRequestHandler,
} from './job-stream-server';
export { type MaskedRange, MIN_SECRET_LENGTH, REDACTED, SecretMasker } from './secret-masker';
