export { acceptsConnections, isPortInUse } from '../../net/port-probe';
export { createHeart } from './create-heart';
export {
  HEART_JOB_TYPES,
  HEART_PLUGIN,
  REMOTE_HEART_JOBS_PLUGIN,
  remoteHeartJobsPlugin,
} from './heart-plugin';
export type {
  Heart,
  HeartInstance,
  HeartInstanceState,
  HeartOptions,
  InstanceRegistration,
} from './heart-types';
export { type InstanceLogChunk, readInstanceLog } from './instance-log';
export { instanceLogPath, instanceLogRequestHandler } from './instance-log-http';
export { InstancePortAllocator } from './instance-port-allocator';
export { instanceRegistrationSchema } from './registration-schema';
