import type { InferFromSchema, JsonObject, JsonSchema, JsonSchemaObject } from '../json-schema';
import type { ProviderCall } from './provider-call';

/** One instance as a runtime sees it when asked to start, stop or inspect it; `P` types its parameters. */
export interface RuntimeInstance<P = JsonObject> {
  /** The instance's UUID. */
  instanceId: string;
  /** Folder the instance's package was unpacked into. */
  directory: string;
  /**
   * Folder of the runtime's own for this instance (pid files, generated config), kept across
   * heart restarts and removed when the instance is deregistered.
   */
  stateDirectory: string;
  /** TCP port the instance must listen on; absent for standalone instances. */
  port?: number;
  /** Runtime version the manifest asked for, as one of {@link RuntimeProvider.versions}. */
  version: string;
  /** The instance type's runtime parameters as written, already validated against `parametersSchema`. */
  parameters: P;
  /** Environment the instance's process must be given. */
  environment: Readonly<Record<string, string>>;
  /** File the instance's stdout and stderr are appended to. */
  logFile: string;
}

/** Whether a runtime believes an instance is up. */
export type RuntimeInstanceStatus = 'running' | 'stopped';

/**
 * Runs application instances of one language or server (the original's RUNTIME_EXECUTE,
 * RUNTIME_VERSIONS and RUNTIME_ENVIRONMENT modes). Registered on `hooks.runtime`. `P` is the
 * type of the instances' parameters: write one with {@link defineRuntime} to have it inferred.
 */
export interface RuntimeProvider<P = JsonObject> {
  /** JSON Schema for the instance type's runtime parameters in the manifest. */
  parametersSchema?: JsonSchema;
  /** Versions this node can serve, most specific last (`['20', '20.11.1']`); empty if none. */
  versions(call: ProviderCall): Promise<string[]>;
  /**
   * Launch the instance on its port; resolve once launched (the heart then waits for health).
   * Called inside the heart's `runAsTenant` context: processes started with core's
   * `startProcessGroup` run as the application's own user; spawn nothing any other way
   * (or wrap the argv with `tenantArgv(currentTenant())`). `directory` is the tenant's;
   * `stateDirectory` is the heart's, passable by the tenant.
   */
  start(instance: RuntimeInstance<P>, call: ProviderCall): Promise<void>;
  /** Stop the instance; resolve once it no longer runs. Stopping a stopped instance succeeds. */
  stop(instance: RuntimeInstance<P>, call: ProviderCall): Promise<void>;
  /** Report whether the instance runs, e.g. after a heart restart. */
  status(instance: RuntimeInstance<P>, call: ProviderCall): Promise<RuntimeInstanceStatus>;
}

/** What {@link defineRuntime} takes: a {@link RuntimeProvider} whose parameters schema is `S`. */
export interface RuntimeDeclaration<S extends JsonSchemaObject>
  extends RuntimeProvider<InferFromSchema<S, false>> {
  readonly parametersSchema: S;
}

/**
 * Declares a runtime whose `instance.parameters` are typed from its `parametersSchema`. They are
 * validated as written (defaults are not filled in), so a property is present only when `required`.
 */
export function defineRuntime<const S extends JsonSchemaObject>(
  declaration: RuntimeDeclaration<S>,
): RuntimeProvider<InferFromSchema<S, false>> {
  return declaration;
}
