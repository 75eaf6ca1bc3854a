import type { JsonObject, JsonSchema } from '../json-schema';
import type { ProviderCall } from './provider-call';

/** A request to produce a working copy of an application's source. */
export interface ScmCheckoutRequest {
  /** The manifest's or API caller's SCM parameters (at least `location`), validated. */
  parameters: JsonObject;
  /** Empty folder the working copy must be written into. */
  workingDirectory: string;
}

/** What an SCM reports about the working copy it made. */
export interface ScmCheckoutResult {
  /** The exact revision checked out, recorded on the application version. */
  revision?: string;
  /** Extra facts merged into the version's stored SCM parameters (tool version, location). */
  outputParameters?: Record<string, string>;
}

/** Fetches application source (the original's SCM_EXPORT mode). Registered on `hooks.scm`. */
export interface ScmProvider {
  /** JSON Schema for the SCM's parameters. */
  parametersSchema?: JsonSchema;
  /** Write the requested source into `request.workingDirectory`. */
  checkout(request: ScmCheckoutRequest, call: ProviderCall): Promise<ScmCheckoutResult>;
}
