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
