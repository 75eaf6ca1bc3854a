export type { Logger } from 'pino';
export { errorCatalogue, isPaasmakerError, PaasmakerError, type PaasmakerErrorCode } from './errors';
export type {
  InferFromSchema,
  JsonObject,
  JsonSchema,
  JsonSchemaObject,
  JsonTypeName,
  JsonValue,
} from './json-schema';
export { createKernel, type Kernel, type KernelOptions, type LoadedPlugin } from './kernel';
export {
  createKernelHooks,
  type KernelHooks,
  type ProviderKind,
  type ProviderOf,
} from './kernel-hooks';
export { KeyedLock, type KeyedLockRunOptions } from './keyed-lock';
export {
  definePlugin,
  KERNEL_API_VERSION,
  type NoOptionsSchema,
  type PluginDeclaration,
  type PluginDefinition,
} from './plugin-definition';
export type { AnyPlugin, PluginEntry } from './plugin-entry';
export type { PluginKernel } from './plugin-kernel';
export { ProviderHookMap } from './provider-hook-map';
export type { AuthCredentials, AuthDecision, AuthPrincipal } from './providers/auth';
export {
  type CommandDeclaration,
  type CommandProvider,
  type CommandRunRequest,
  defineCommand,
} from './providers/command-provider';
export {
  defineHealthCheck,
  type HealthCheckDeclaration,
  type HealthCheckProvider,
  type HealthCheckResult,
} from './providers/health-check-provider';
export type {
  InstanceEnvironment,
  InstanceEnvironmentContext,
} from './providers/instance-environment';
export {
  defineJobType,
  type JobOutcome,
  type JobRun,
  type JobSpec,
  type JobTypeDeclaration,
  type JobTypeProvider,
} from './providers/job-type-provider';
export type {
  InstanceState,
  InstanceStateChange,
  JobState,
  JobStateChange,
  NodeState,
  NodeStateChange,
} from './providers/lifecycle-events';
export type { PacemakerHttp } from './providers/pacemaker-http';
export type {
  FetcherProvider,
  PackedPackage,
  PackerProvider,
  StorerProvider,
  UnpackerProvider,
} from './providers/package-pipeline-providers';
export {
  definePlacement,
  type PlacementCandidate,
  type PlacementDeclaration,
  type PlacementProvider,
  type PlacementRequest,
} from './providers/placement-provider';
export type { ProviderCall } from './providers/provider-call';
export {
  defineRuntime,
  type RuntimeDeclaration,
  type RuntimeInstance,
  type RuntimeInstanceStatus,
  type RuntimeProvider,
} from './providers/runtime-provider';
export {
  defineScm,
  type ScmCheckoutRequest,
  type ScmCheckoutResult,
  type ScmDeclaration,
  type ScmProvider,
} from './providers/scm-provider';
export {
  defineService,
  type ServiceCredentials,
  type ServiceDeclaration,
  type ServiceDeprovisionRequest,
  type ServiceProvider,
  type ServiceProvisionRequest,
} from './providers/service-provider';
