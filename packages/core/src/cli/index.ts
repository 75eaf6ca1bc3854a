export {
  type ApiAuth,
  ApiClient,
  type ApiClientOptions,
  type ApplicationInstancesView,
  type ApplicationView,
  type DeployRequest,
  type InstanceView,
  type MeView,
  type NodeView,
  type RoleAllocationView,
  type RoleView,
  type ServiceView,
  type TreeSummaryView,
  type TreeView,
  type UserView,
  type VersionView,
  type WorkspaceView,
} from './api-client';
export type { CliIo, CliOutput } from './context';
export { type Credentials, configDirectory, credentialsFile } from './credentials';
export { CliError, EXIT } from './errors';
export { followTree } from './job-commands';
export { createProgram, main } from './main';
