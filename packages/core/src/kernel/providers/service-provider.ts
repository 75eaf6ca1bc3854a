import type { JsonObject, JsonSchema } from '../json-schema';
import type { ProviderCall } from './provider-call';

/**
 * Credentials handed to applications; `protocol` names the kind (`mysql`, `pgsql`, `redis`...)
 * and the other keys follow convention: `hostname`, `port`, `username`, `password`, `database`.
 */
export type ServiceCredentials = { protocol: string } & JsonObject;

/** A request to create (or update) the resource behind one named service. */
export interface ServiceProvisionRequest {
  /** The service's name, unique in its workspace. */
  serviceName: string;
  /** The manifest's parameters for the service, validated against `parametersSchema`. */
  parameters: JsonObject;
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
 * original's SERVICE_CREATE and SERVICE_DELETE modes). Registered on `hooks.service`.
 */
export interface ServiceProvider {
  /** JSON Schema for the service's parameters in the manifest. */
  parametersSchema?: JsonSchema;
  /** Create the resource, or bring an existing one up to date; resolve with its credentials. */
  provision(request: ServiceProvisionRequest, call: ProviderCall): Promise<ServiceCredentials>;
  /** Destroy the resource. Deprovisioning a resource that is already gone succeeds. */
  deprovision(request: ServiceDeprovisionRequest, call: ProviderCall): Promise<void>;
}
