import type { ProviderKind } from '../kernel/kernel-hooks';
import type { YamlPath } from '../yaml/located-yaml';
import { asList, asObject } from './loose-data';
import { MANIFEST_PLUGIN_PATTERN } from './manifest-schema';

/** The provider kinds a manifest refers to. */
export type ManifestProviderKind = Extract<
  ProviderKind,
  'runtime' | 'prepare' | 'startup' | 'placement' | 'service'
>;

/** One plugin named in a manifest: which hook it must be in and where it is written. */
export interface ManifestPluginUse {
  readonly kind: ManifestProviderKind;
  readonly plugin: string;
  /** Path of the `plugin` field. */
  readonly path: YamlPath;
  /** Path of the `parameters` field beside it. */
  readonly parametersPath: YamlPath;
  /** The parameters as written (`undefined` when absent). */
  readonly parameters: unknown;
}

const PLUGIN_NAME = new RegExp(MANIFEST_PLUGIN_PATTERN);

/**
 * Every plugin a manifest names explicitly, found in parsed YAML that may not have passed the
 * schema (anything of the wrong shape is skipped; the schema reports it).
 */
export function manifestPluginUses(data: unknown): ManifestPluginUse[] {
  const uses: ManifestPluginUse[] = [];
  const add = (kind: ManifestProviderKind, entry: unknown, path: YamlPath) => {
    const object = asObject(entry);
    // A name of the wrong shape is the schema's to report; looking it up would only repeat that.
    if (typeof object?.plugin !== 'string' || !PLUGIN_NAME.test(object.plugin)) return;
    uses.push({
      kind,
      plugin: object.plugin,
      path: [...path, 'plugin'],
      parametersPath: [...path, 'parameters'],
      parameters: object.parameters,
    });
  };
  const root = asObject(data);
  const prepare = asObject(asObject(root?.application)?.prepare);
  add('runtime', prepare?.runtime, ['application', 'prepare', 'runtime']);
  asList(prepare?.commands).forEach((entry, i) => {
    add('prepare', entry, ['application', 'prepare', 'commands', i]);
  });
  asList(root?.instances).forEach((entry, i) => {
    const instance = asObject(entry);
    add('runtime', instance?.runtime, ['instances', i, 'runtime']);
    asList(instance?.startup).forEach((step, j) => {
      add('startup', step, ['instances', i, 'startup', j]);
    });
    add('placement', instance?.placement, ['instances', i, 'placement']);
  });
  asList(root?.services).forEach((entry, i) => {
    add('service', entry, ['services', i]);
  });
  return uses;
}
