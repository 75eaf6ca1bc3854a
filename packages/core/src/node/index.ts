// The node process: its config file and the roles it starts. Every export, named.
export { type CreateNodeOptions, createNode, type PaasmakerNode } from './create-node';
export {
  ADMINISTRATOR_ROLE,
  createFirstAdmin,
  FIRST_ADMIN_LOGIN,
  type FirstStart,
  formatFirstStart,
} from './first-start';
export {
  loadNodeConfig,
  NodeConfigError,
  type NodeConfigOptions,
  type NodeConfigProblem,
  parseNodeConfig,
} from './node-config';
export {
  DEFAULT_API_HOST,
  DEFAULT_API_PORT,
  DEFAULT_CLUSTER_HOSTNAME,
  DEFAULT_HEART_PORTS,
  DEFAULT_NODE_REPORT_INTERVAL_MS,
  DEFAULT_PACEMAKER_DATABASE,
  DEFAULT_ROUTER_PORT,
  type HealthConfig,
  type HeartRoleConfig,
  type NodeConfig,
  type NodePluginConfig,
  nodeConfigSchema,
  type PacemakerRoleConfig,
  type RouterRoleConfig,
} from './node-config-schema';
export { nodeConfigSecrets, nodeLogSecrets } from './node-config-secrets';
export { NodeReporter, type NodeReporterOptions, type ReporterTimers } from './node-reporter';
export type { RunningPacemaker, RunningRoles } from './start-roles';
