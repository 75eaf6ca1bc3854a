export {
  HEALTH_CHECKS,
  HEALTH_PLUGIN,
  type HealthChecksOptions,
  healthChecksPlugin,
} from './health-checks-plugin';
export { type HealthCheckSchedule, HealthManager, type HealthManagerOptions } from './health-manager';
export { HealthSignals } from './health-signals';
export { HEALTH_JOBS } from './instance-replacement';
