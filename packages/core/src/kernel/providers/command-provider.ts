import type { InferFromSchema, JsonObject, JsonSchema, JsonSchemaObject } from '../json-schema';
import type { ProviderCall } from './provider-call';

/** A request to run commands against an application's files; `P` types its parameters. */
export interface CommandRunRequest<P = JsonObject> {
  /** Folder to run in: the working copy (prepare) or the instance folder (startup). */
  directory: string;
  /** Environment the commands run with. */
  environment: Readonly<Record<string, string>>;
  /** The manifest's parameters for this step as written, validated against `parametersSchema`. */
  parameters: P;
}

/**
 * Runs a step over an application's files: on the pacemaker before packing (prepare, the
 * original's PREPARE_COMMAND) or on a heart before an instance starts (startup, the original's
 * RUNTIME_STARTUP). Registered on `hooks.prepare` or `hooks.startup`. Rejecting fails the step.
 * `P` is the type of its parameters: write one with {@link defineCommand} to have it inferred.
 */
export interface CommandProvider<P = JsonObject> {
  /** JSON Schema for the step's parameters in the manifest. */
  parametersSchema?: JsonSchema;
  /** Run the step; honour `call.signal` by stopping promptly. */
  run(request: CommandRunRequest<P>, call: ProviderCall): Promise<void>;
}

/** What {@link defineCommand} takes: a {@link CommandProvider} whose parameters schema is `S`. */
export interface CommandDeclaration<S extends JsonSchemaObject>
  extends CommandProvider<InferFromSchema<S, false>> {
  readonly parametersSchema: S;
}

/**
 * Declares a prepare or startup step whose `request.parameters` are typed from its
 * `parametersSchema`. They are validated as written (defaults are not filled in), so a property
 * is present only when `required`.
 */
export function defineCommand<const S extends JsonSchemaObject>(
  declaration: CommandDeclaration<S>,
): CommandProvider<InferFromSchema<S, false>> {
  return declaration;
}
