export { type HostnameParts, instanceHostnames, typeHostname, versionHostname } from './cluster-hostnames';
export { DEFAULT_PLACEMENT, defaultPlacementPlugin, defaultPlacementProvider } from './default-placement';
export type { DeployApi } from './deploy-api';
export { DEPLOY_JOBS } from './deploy-job-names';
export { DEPLOY_PLUGIN, type DeployPluginOptions, deployPlugin } from './deploy-plugin';
export { routeReportedInstances } from './reported-instance-routing';
export { restoreRouting } from './restore-routing';
export { applyInstanceRouting, type RoutingTableWriter } from './routing-writer';
export {
  type DeploySource,
  type ScaledInstanceType,
  type StartedAction,
  VersionActions,
} from './version-actions';
export { VersionTrees, type VersionTreesOptions } from './version-trees';
