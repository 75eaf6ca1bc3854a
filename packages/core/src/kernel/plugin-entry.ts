import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { PaasmakerError } from './errors';
import type { PluginDefinition } from './plugin-definition';

/** Any plugin made with `definePlugin`, whatever its options schema. */
export type AnyPlugin = PluginDefinition<unknown>;

/**
 * One entry of a kernel's plugin list: a plugin object (composing in code), or a plugin object
 * or npm package name with options (as a config file names them).
 */
export type PluginEntry = AnyPlugin | { plugin: AnyPlugin | string; options?: unknown };

/** A plugin definition paired with the raw options it was given. */
export interface ResolvedPluginEntry {
  definition: AnyPlugin;
  options: unknown;
}

/**
 * Turns plugin entries into definitions, importing packages named by string. Packages are
 * resolved from `resolveFrom` (a folder), the way `require` would from a file in that folder.
 */
export async function resolvePluginEntries(
  entries: readonly PluginEntry[],
  resolveFrom: string,
): Promise<ResolvedPluginEntry[]> {
  const resolved: ResolvedPluginEntry[] = [];
  for (const entry of entries) {
    const { plugin, options } = 'plugin' in entry ? entry : { plugin: entry, options: undefined };
    const definition = typeof plugin === 'string' ? await importPluginPackage(plugin, resolveFrom) : plugin;
    assertPluginDefinition(
      definition,
      typeof plugin === 'string' ? `package "${plugin}"` : 'a plugin object',
    );
    resolved.push({ definition, options });
  }
  return resolved;
}

async function importPluginPackage(packageName: string, resolveFrom: string): Promise<unknown> {
  let file: string;
  try {
    file = createRequire(path.join(path.resolve(resolveFrom), 'noop.js')).resolve(packageName);
  } catch (error) {
    throw new PaasmakerError(
      'E_PLUGIN_NOT_FOUND',
      `plugin package "${packageName}" cannot be found from ${resolveFrom}; install it there (npm install ${packageName}) or fix the name.`,
      { cause: error },
    );
  }
  let module: Record<string, unknown>;
  try {
    module = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (error) {
    throw new PaasmakerError(
      'E_PLUGIN_NOT_FOUND',
      `plugin package "${packageName}" failed to import: ${(error as Error).message}`,
      { cause: error },
    );
  }
  return pickExportedPlugin(module);
}

function pickExportedPlugin(module: Record<string, unknown>): unknown {
  const candidates = [
    module.default,
    (module.default as Record<string, unknown> | undefined)?.default,
    module.plugin,
  ];
  return candidates.find(isPluginDefinition) ?? module.default;
}

function isPluginDefinition(value: unknown): value is AnyPlugin {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Record<string, unknown>;
  return (
    typeof candidate.name === 'string' &&
    candidate.name.length > 0 &&
    typeof candidate.version === 'string' &&
    typeof candidate.apiVersion === 'number' &&
    typeof candidate.setup === 'function'
  );
}

function assertPluginDefinition(value: unknown, origin: string): asserts value is AnyPlugin {
  if (isPluginDefinition(value)) return;
  const name =
    typeof value === 'object' && value !== null && typeof (value as { name?: unknown }).name === 'string'
      ? `${(value as { name: string }).name}: `
      : '';
  throw new PaasmakerError(
    'E_PLUGIN_INVALID',
    `${name}${origin} is not a plugin: expected an object made with definePlugin() with a name, a version, a numeric apiVersion and a setup function (as the default export of a package).`,
  );
}
