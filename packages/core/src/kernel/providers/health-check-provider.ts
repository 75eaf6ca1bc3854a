import type { InferFromSchema, JsonObject, JsonSchema, JsonSchemaObject } from '../json-schema';
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
 * silent nodes down). Registered on `hooks.healthCheck`. `P` is the type of its parameters:
 * write one with {@link defineHealthCheck} to have it inferred.
 */
export interface HealthCheckProvider<P = JsonObject> {
  /** JSON Schema for the check's parameters in the node config; checked when the health manager starts. */
  parametersSchema?: JsonSchema;
  /** Run the check once; honour `call.signal` by stopping promptly. */
  check(parameters: P, call: ProviderCall): Promise<HealthCheckResult>;
}

/** What {@link defineHealthCheck} takes: a {@link HealthCheckProvider} whose parameters schema is `S`. */
export interface HealthCheckDeclaration<S extends JsonSchemaObject>
  extends HealthCheckProvider<InferFromSchema<S, false>> {
  readonly parametersSchema: S;
}

/**
 * Declares a health check whose parameters are typed from its `parametersSchema`. They are
 * validated as written (defaults are not filled in), so a property is present only when `required`.
 */
export function defineHealthCheck<const S extends JsonSchemaObject>(
  declaration: HealthCheckDeclaration<S>,
): HealthCheckProvider<InferFromSchema<S, false>> {
  return declaration;
}
