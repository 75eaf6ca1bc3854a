import type { InferFromSchema, JsonObject, JsonSchema, JsonSchemaObject } from '../json-schema';
import type { ProviderCall } from './provider-call';

/**
 * Credentials handed to applications; `protocol` names the kind (`mysql`, `pgsql`, `redis`...)
 * and the other keys follow convention: `hostname`, `port`, `username`, `password`, `database`.
 */
export type ServiceCredentials = { protocol: string } & JsonObject;

/** A request to create (or update) the resource behind one named service; `P` types its parameters. */
export interface ServiceProvisionRequest<P = JsonObject> {
  /** The service's name, unique in its workspace. */
  serviceName: string;
  /** The manifest's parameters for the service as written, validated against `parametersSchema`. */
  parameters: P;
  /** Present when the service exists already: provisioning must then be idempotent. */
  existingCredentials?: ServiceCredentials;
}

/** A request to destroy the resource behind one named service. */
export interface ServiceDeprovisionRequest {
  serviceName: string;
  credentials: ServiceCredentials;
}

/**
 * Creates and removes a resource applications use, such as a database and its user (the
 * original's SERVICE_CREATE and SERVICE_DELETE modes). Registered on `hooks.service`. `P` is
 * the type of its parameters: write one with {@link defineService} to have it inferred.
 */
export interface ServiceProvider<P = JsonObject> {
  /** JSON Schema for the service's parameters in the manifest. */
  parametersSchema?: JsonSchema;
  /** Create the resource, or bring an existing one up to date; resolve with its credentials. */
  provision(request: ServiceProvisionRequest<P>, call: ProviderCall): Promise<ServiceCredentials>;
  /** Destroy the resource. Deprovisioning a resource that is already gone succeeds. */
  deprovision(request: ServiceDeprovisionRequest, call: ProviderCall): Promise<void>;
}

/** What {@link defineService} takes: a {@link ServiceProvider} whose parameters schema is `S`. */
export interface ServiceDeclaration<S extends JsonSchemaObject>
  extends ServiceProvider<InferFromSchema<S, false>> {
  readonly parametersSchema: S;
}

/**
 * Declares a service whose `request.parameters` are typed from its `parametersSchema`. They are
 * validated as written (defaults are not filled in), so a property is present only when `required`.
 */
export function defineService<const S extends JsonSchemaObject>(
  declaration: ServiceDeclaration<S>,
): ServiceProvider<InferFromSchema<S, false>> {
  return declaration;
}
