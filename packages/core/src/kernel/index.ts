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
export type { CommandProvider, CommandRunRequest } from './providers/command-provider';
export type { HealthCheckProvider, HealthCheckResult } from './providers/health-check-provider';
export type {
  InstanceEnvironment,
  InstanceEnvironmentContext,
} from './providers/instance-environment';
export type { JobOutcome, JobRun, JobSpec, JobTypeProvider } from './providers/job-type-provider';
export type {
  InstanceState,
  InstanceStateChange,
  JobState,
  JobStateChange,
  NodeState,
  NodeStateChange,
} from './providers/lifecycle-events';
export type {
  FetcherProvider,
  PackedPackage,
  PackerProvider,
  StorerProvider,
  UnpackerProvider,
} from './providers/package-pipeline-providers';
export type {
  PlacementCandidate,
  PlacementProvider,
  PlacementRequest,
} from './providers/placement-provider';
export type { ProviderCall } from './providers/provider-call';
export type {
  RuntimeInstance,
  RuntimeInstanceStatus,
  RuntimeProvider,
} from './providers/runtime-provider';
export type { ScmCheckoutRequest, ScmCheckoutResult, ScmProvider } from './providers/scm-provider';
export type {
  ServiceCredentials,
  ServiceDeprovisionRequest,
  ServiceProvider,
  ServiceProvisionRequest,
} from './providers/service-provider';
