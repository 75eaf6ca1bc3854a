import type { JsonObject } from '../kernel/json-schema';
import type { YamlPath } from '../yaml/located-yaml';
import type {
  Manifest,
  ManifestCron,
  ManifestInstanceType,
  ManifestPluginRef,
  ManifestRuntime,
  ManifestService,
} from './manifest-types';

/** A manifest as the schema accepted it, ajv's defaults applied; keys as written in YAML. */
interface ValidManifestData {
  manifest: { format: 1 };
  application: {
    name: string;
    tags: JsonObject;
    prepare: { runtime: RuntimeData | null; commands: ManifestPluginRef[] };
  };
  instances: {
    name: string;
    quantity: number;
    runtime: RuntimeData;
    startup: ManifestPluginRef[];
    placement: { plugin: string; parameters: JsonObject };
    hostnames: string[];
    exclusive: boolean;
    standalone: boolean;
    crons: ManifestCron[];
    health_check: { path?: string; timeout: number };
  }[];
  services: ManifestService[];
}

interface RuntimeData {
  plugin: string;
  version: string | number;
  parameters: JsonObject;
}

/**
 * Maps validated manifest data to a {@link Manifest}. `versionText` gives the source text of a
 * runtime version written as a YAML number, so that `5.30` stays `"5.30"`.
 */
export function buildManifest(data: unknown, versionText: (path: YamlPath) => string | undefined): Manifest {
  const valid = data as ValidManifestData;
  const runtime = (raw: RuntimeData, path: YamlPath): ManifestRuntime => ({
    plugin: raw.plugin,
    version:
      typeof raw.version === 'number'
        ? (versionText([...path, 'version']) ?? String(raw.version))
        : raw.version,
    parameters: raw.parameters,
  });
  const ref = (raw: ManifestPluginRef): ManifestPluginRef => ({
    plugin: raw.plugin,
    parameters: raw.parameters,
    name: raw.name,
  });
  const prepare = valid.application.prepare;
  return {
    format: 1,
    application: {
      name: valid.application.name,
      tags: valid.application.tags,
      prepare: {
        runtime: prepare.runtime ? runtime(prepare.runtime, ['application', 'prepare', 'runtime']) : null,
        commands: prepare.commands.map(ref),
      },
    },
    instances: valid.instances.map(
      (raw, i): ManifestInstanceType => ({
        name: raw.name,
        quantity: raw.quantity,
        runtime: runtime(raw.runtime, ['instances', i, 'runtime']),
        startup: raw.startup.map(ref),
        placement: { plugin: raw.placement.plugin, parameters: raw.placement.parameters },
        hostnames: raw.hostnames,
        exclusive: raw.exclusive,
        standalone: raw.standalone,
        crons: raw.crons.map((cron) => ({
          runspec: cron.runspec.trim(),
          uri: cron.uri,
          username: cron.username,
          password: cron.password,
        })),
        healthCheck: {
          ...(raw.health_check.path === undefined ? {} : { path: raw.health_check.path }),
          timeoutSeconds: raw.health_check.timeout,
        },
      }),
    ),
    services: valid.services.map((raw) => ({
      name: raw.name,
      plugin: raw.plugin,
      parameters: raw.parameters,
    })),
  };
}
