export type { Application, ApplicationInput } from './application-repository';
export { ApplicationRepository } from './application-repository';
export type { Model, ModelOptions } from './create-model';
export { createModel, migrateModel, rollbackModel } from './create-model';
export { HostnameClaimedError } from './hostname-claimed-error';
export type { Instance, InstanceInput } from './instance-repository';
export { InstanceRepository } from './instance-repository';
export type {
  InstanceType,
  InstanceTypeCron,
  InstanceTypeCronInput,
  InstanceTypeHealthCheck,
  InstanceTypeInput,
  InstanceTypeStartupStep,
} from './instance-type-repository';
export {
  DEFAULT_HEALTH_CHECK,
  DEFAULT_PLACEMENT_PROVIDER,
  InstanceTypeRepository,
} from './instance-type-repository';
export { ModelDatabase } from './model-database';
export { modelMigrationConfig } from './model-migrations';
export type { VersionState } from './model-states';
export { INSTANCE_STATES, INTERNAL_AUTH_SOURCE, NODE_STATES, VERSION_STATES } from './model-states';
export { modelTables } from './model-tables';
export type { ClusterNode, NodeInput, NodeRoles } from './node-repository';
export { NodeRepository } from './node-repository';
export type { Permission, PermissionGrant } from './permissions';
export { hasPermission, isPermission, PERMISSIONS } from './permissions';
export type { Role, RoleAllocation, RoleInput } from './role-repository';
export { RoleRepository } from './role-repository';
export type { Service, ServiceInput } from './service-repository';
export { ServiceRepository } from './service-repository';
export type { ApiKey, User, UserInput } from './user-repository';
export { hashApiKey, UserRepository } from './user-repository';
export type { InstanceTypeRecord, RecordedVersion, VersionRecord } from './version-record';
export type { ApplicationVersion, VersionChanges, VersionInput } from './version-repository';
export { VersionRepository } from './version-repository';
export type { Workspace, WorkspaceInput } from './workspace-repository';
export { WorkspaceRepository } from './workspace-repository';
