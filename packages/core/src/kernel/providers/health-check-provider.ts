import type { JsonObject, JsonSchema } from '../json-schema';
import type { ProviderCall } from './provider-call';

/** What a health check found and did. */
export interface HealthCheckResult {
  /** One line for people, e.g. "2 nodes marked DOWN". */
  summary: string;
  /** Facts for later checks in the same run. */
  context?: JsonObject;
}

/**
 * Inspects the cluster and repairs what it can (the original's HEALTH_CHECK mode, e.g. marking
 * silent nodes down). Registered on `hooks.healthCheck`.
 */
export interface HealthCheckProvider {
  parametersSchema?: JsonSchema;
  check(parameters: JsonObject, call: ProviderCall): Promise<HealthCheckResult>;
}
