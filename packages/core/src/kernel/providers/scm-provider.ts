import type { InferFromSchema, JsonObject, JsonSchema, JsonSchemaObject } from '../json-schema';
import type { ProviderCall } from './provider-call';

/** A request to produce a working copy of an application's source; `P` types its parameters. */
export interface ScmCheckoutRequest<P = JsonObject> {
  /** The manifest's or API caller's SCM parameters as written, validated against `parametersSchema`. */
  parameters: P;
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

/**
 * Fetches application source (the original's SCM_EXPORT mode). Registered on `hooks.scm`. `P` is
 * the type of its parameters: write one with {@link defineScm} to have it inferred.
 */
export interface ScmProvider<P = JsonObject> {
  /** JSON Schema for the SCM's parameters. */
  parametersSchema?: JsonSchema;
  /** Write the requested source into `request.workingDirectory`. */
  checkout(request: ScmCheckoutRequest<P>, call: ProviderCall): Promise<ScmCheckoutResult>;
}

/** What {@link defineScm} takes: a {@link ScmProvider} whose parameters schema is `S`. */
export interface ScmDeclaration<S extends JsonSchemaObject> extends ScmProvider<InferFromSchema<S, false>> {
  readonly parametersSchema: S;
}

/**
 * Declares an SCM whose `request.parameters` are typed from its `parametersSchema`. They are
 * validated as written (defaults are not filled in), so a property is present only when `required`.
 */
export function defineScm<const S extends JsonSchemaObject>(
  declaration: ScmDeclaration<S>,
): ScmProvider<InferFromSchema<S, false>> {
  return declaration;
}
