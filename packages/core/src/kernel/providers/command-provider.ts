import type { JsonObject, JsonSchema } from '../json-schema';
import type { ProviderCall } from './provider-call';

/** A request to run commands against an application's files. */
export interface CommandRunRequest {
  /** Folder to run in: the working copy (prepare) or the instance folder (startup). */
  directory: string;
  /** Environment the commands run with. */
  environment: Readonly<Record<string, string>>;
  /** The manifest's parameters for this step, validated against `parametersSchema`. */
  parameters: JsonObject;
}

/**
 * Runs a step over an application's files: on the pacemaker before packing (prepare, the
 * original's PREPARE_COMMAND) or on a heart before an instance starts (startup, the original's
 * RUNTIME_STARTUP). Registered on `hooks.prepare` or `hooks.startup`. Rejecting fails the step.
 */
export interface CommandProvider {
  /** JSON Schema for the step's parameters in the manifest. */
  parametersSchema?: JsonSchema;
  /** Run the step; honour `call.signal` by stopping promptly. */
  run(request: CommandRunRequest, call: ProviderCall): Promise<void>;
}
