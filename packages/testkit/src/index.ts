// The public API of @paasmaker/testkit.
export { expectPaasmakerError } from './expect-paasmaker-error';
export { freePort, type PortRange } from './free-port';
export { httpStatus } from './http-status';
export { listeningProcesses, processEnvironment } from './listening-processes';
export { processGroupMembers, processGroupOf } from './process-group';
export { processesWithVariable } from './processes-with-variable';
export { providerCall } from './provider-call';
export {
  type ConformanceApp,
  describeRuntimeConformance,
  type RuntimeConformanceOptions,
} from './runtime-conformance';
export { describeScmConformance, type ScmConformanceOptions, type ScmTestSource } from './scm-conformance';
export {
  describeServiceConformance,
  type ServiceConformanceOptions,
  type ServiceDataProbe,
} from './service-conformance';
export { temporaryFolder } from './temporary-folder';
export { type TestInstanceOptions, testInstance } from './test-instance';
export { throwawayKernel } from './throwaway-kernel';
