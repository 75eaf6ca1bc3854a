import { PaasmakerError } from './errors';
import { KERNEL_API_VERSION } from './plugin-definition';
import type { ResolvedPluginEntry } from './plugin-entry';

/**
 * Checks a kernel's plugin list as a whole and returns it in load order: every plugin after the
 * plugins it depends on, otherwise in the order given.
 */
export function orderPlugins(entries: readonly ResolvedPluginEntry[]): ResolvedPluginEntry[] {
  const byName = new Map<string, ResolvedPluginEntry>();
  for (const entry of entries) {
    const { name, version, apiVersion } = entry.definition;
    const earlier = byName.get(name);
    if (earlier) {
      throw new PaasmakerError(
        'E_PLUGIN_DUPLICATE',
        `${name}: listed twice (versions ${earlier.definition.version} and ${version}); keep one entry per plugin name.`,
      );
    }
    if (apiVersion !== KERNEL_API_VERSION) {
      throw new PaasmakerError(
        'E_PLUGIN_API_VERSION',
        `${name}: written for kernel API ${apiVersion}, but this @paasmaker/core provides API ${KERNEL_API_VERSION}; use a version of ${name} built for API ${KERNEL_API_VERSION}, or a @paasmaker/core that provides API ${apiVersion}.`,
      );
    }
    byName.set(name, entry);
  }
  for (const entry of entries) {
    for (const dependency of entry.definition.dependencies ?? []) {
      if (!byName.has(dependency)) {
        throw new PaasmakerError(
          'E_PLUGIN_DEPENDENCY',
          `${entry.definition.name}: depends on ${dependency}, which is not in the plugin list; add ${dependency} to the plugins.`,
        );
      }
    }
  }

  const ordered: ResolvedPluginEntry[] = [];
  const placed = new Set<string>();
  const visiting: string[] = [];
  const visit = (entry: ResolvedPluginEntry): void => {
    const { name, dependencies = [] } = entry.definition;
    if (placed.has(name)) return;
    if (visiting.includes(name)) {
      const cycle = [...visiting.slice(visiting.indexOf(name)), name].join(' -> ');
      throw new PaasmakerError(
        'E_PLUGIN_DEPENDENCY',
        `${name}: plugin dependencies form a cycle (${cycle}); remove one of these dependencies.`,
      );
    }
    visiting.push(name);
    for (const dependency of dependencies) visit(byName.get(dependency) as ResolvedPluginEntry);
    visiting.pop();
    placed.add(name);
    ordered.push(entry);
  };
  for (const entry of entries) visit(entry);
  return ordered;
}
