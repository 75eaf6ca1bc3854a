import type { InferFromSchema, JsonSchema } from './json-schema';
import type { PluginKernel } from './plugin-kernel';

/**
 * The kernel API version this `@paasmaker/core` provides. A plugin declares the version it was
 * written for in `apiVersion`; loading fails unless the two are equal.
 */
export const KERNEL_API_VERSION = 1;

/** The options schema a plugin gets when it declares none: no options at all. */
export type NoOptionsSchema = { readonly type: 'object'; readonly additionalProperties: false };

/**
 * A plugin: metadata the kernel checks at load, and a `setup` that taps the kernel's hooks.
 * `O` is the type of its options; {@link definePlugin} infers it from the options schema.
 */
export interface PluginDefinition<O = unknown> {
  /** Symbolic name, unique in a kernel, e.g. `acme.runtime.ruby`. Errors name the plugin by it. */
  readonly name: string;
  /** The plugin's own version (semver). */
  readonly version: string;
  /** The kernel API version the plugin was written for: {@link KERNEL_API_VERSION}. */
  readonly apiVersion: number;
  /** Names of plugins that must be set up before this one. */
  readonly dependencies?: readonly string[];
  /** JSON Schema for the plugin's options; defaults in it are applied before `setup`. */
  readonly options?: JsonSchema;
  /**
   * Whether this machine can run the plugin with these options (defaults applied): undefined
   * when it can, else one line saying what is missing and how to get it ("no mod_php in …;
   * install libapache2-mod-php"). The kernel asks before any setup and fails with
   * `E_PLUGIN_OPTIONS`; `paasmaker up` asks to skip an official plugin the machine cannot run.
   */
  unavailable?(options: O): string | undefined;
  /**
   * Called once at load, in dependency order. Tap hooks here and register teardown with
   * `kernel.onClose`. Must finish within the kernel's setup timeout.
   */
  setup(kernel: PluginKernel, options: O): void | Promise<void>;
}

/**
 * Declares a plugin. The options schema is written once; `setup` receives options typed from it.
 *
 * ```ts
 * export default definePlugin({
 *   name: 'acme.runtime.ruby',
 *   version: '1.0.0',
 *   apiVersion: KERNEL_API_VERSION,
 *   options: {
 *     type: 'object',
 *     properties: { rubyBinary: { type: 'string', default: 'ruby' } },
 *     additionalProperties: false,
 *   },
 *   setup(kernel, options) {
 *     kernel.hooks.runtime.for('acme.runtime.ruby').tap('acme.runtime.ruby', () => makeRuntime(options.rubyBinary));
 *   },
 * });
 * ```
 */
export function definePlugin<const S extends JsonSchema = NoOptionsSchema>(
  definition: PluginDeclaration<S>,
): PluginDefinition<InferFromSchema<S>>;
export function definePlugin(definition: PluginDefinition): PluginDefinition {
  return definition;
}

/** What {@link definePlugin} takes: a {@link PluginDefinition} whose options schema is `S`. */
export interface PluginDeclaration<S extends JsonSchema> extends PluginDefinition<InferFromSchema<S>> {
  readonly options?: S;
}
