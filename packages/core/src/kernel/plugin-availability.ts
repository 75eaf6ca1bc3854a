import type { AnyPlugin, PluginEntry } from './plugin-entry';
import { resolvePluginEntries } from './plugin-entry';
import { validatePluginOptions } from './plugin-options';

/**
 * Why this machine cannot run a plugin with its validated options, prefixed with the plugin's
 * name (see {@link AnyPlugin.unavailable}); undefined when it can.
 */
export function pluginUnavailable(definition: AnyPlugin, options: unknown): string | undefined {
  const missing = definition.unavailable?.(options);
  return missing ? `${definition.name}: ${missing}` : undefined;
}

/**
 * Resolves one plugin entry and validates its options as a kernel would (throwing the same
 * errors), then says why this machine cannot run it; undefined when it can.
 */
export async function checkPluginEntry(entry: PluginEntry, resolveFrom: string): Promise<string | undefined> {
  const [resolved] = await resolvePluginEntries([entry], resolveFrom);
  if (!resolved) return undefined;
  return pluginUnavailable(resolved.definition, validatePluginOptions(resolved.definition, resolved.options));
}
