// The application manifest: types, schema, parsing. Every export, named.
export { ManifestError, type ManifestProblem } from './manifest-error';
export type { ManifestKernel } from './manifest-plugin-check';
export {
  DEFAULT_HEALTH_CHECK_TIMEOUT_SECONDS,
  DEFAULT_MANIFEST_PLACEMENT,
  MANIFEST_HOSTNAME_PATTERN,
  MANIFEST_NAME_PATTERN,
  MANIFEST_PLUGIN_PATTERN,
  manifestJsonSchema,
} from './manifest-schema';
export type {
  Manifest,
  ManifestCron,
  ManifestHealthCheck,
  ManifestInstanceType,
  ManifestPluginRef,
  ManifestRuntime,
  ManifestService,
} from './manifest-types';
export {
  DEFAULT_MANIFEST_FILE,
  type LoadManifestOptions,
  loadManifest,
  type ParseManifestOptions,
  parseManifest,
} from './parse-manifest';
