// The node registry of the pacemaker: every export, named.
export type {
  NodeRegistryKernel,
  NodeRegistryModel,
  NodeRegistryOptions,
  NodeReportResult,
  NodeReportWarning,
  ReportedInstanceChange,
} from './node-registry';
export { NodeRegistry, probeNodeAddress } from './node-registry';
export type { NodeInstanceReport, NodeRegistration, NodeReport } from './node-registry-schemas';
export { NodeInputError, nodeRegistrationSchema, nodeReportSchema } from './node-registry-schemas';
