import type { JsonObject } from '../kernel/json-schema';

/** A plugin entry of a manifest: a prepare, startup or other command step. */
export interface ManifestPluginRef {
  /** Provider name, `paasmaker.prepare.shell`. */
  plugin: string;
  /** The provider's parameters; `{}` when the manifest gives none. */
  parameters: JsonObject;
  /** A label for logs; `''` when the manifest gives none. */
  name: string;
}

/** The runtime of an instance type, or of the prepare step. */
export interface ManifestRuntime {
  /** Runtime provider name, `paasmaker.runtime.node`. */
  plugin: string;
  /** Requested version, always a string (`version: 5.30` in YAML stays `"5.30"`). */
  version: string;
  /** The runtime's parameters; `{}` when the manifest gives none. */
  parameters: JsonObject;
}

/** How a heart decides an instance is up: an HTTP path, or a TCP connect when there is no path. */
export interface ManifestHealthCheck {
  /** HTTP path to GET (starts with `/`); absent for a TCP check. */
  path?: string;
  /** How long the instance may take to answer after it was launched; default 20. */
  timeoutSeconds: number;
}

/** A scheduled HTTP request to an instance. */
export interface ManifestCron {
  /** Five-field cron expression, `*\/5 * * * *`. */
  runspec: string;
  /** Path requested on the instance, `/tasks/cleanup`. */
  uri: string;
  /** HTTP basic user, or `null`. */
  username: string | null;
  /** HTTP basic password, or `null`. */
  password: string | null;
}

/** One instance type of the application (`web`, `worker`). */
export interface ManifestInstanceType {
  /** Unique within the manifest. */
  name: string;
  /** How many instances to run; default 1. */
  quantity: number;
  runtime: ManifestRuntime;
  /** Commands run on the heart before each instance starts; default `[]`. */
  startup: ManifestPluginRef[];
  /** Placement policy; default `paasmaker.placement.default` with `{}`. */
  placement: { plugin: string; parameters: JsonObject };
  /** Public hostnames (lower-case; `*.example.com` allowed), routed for the current version; default `[]`. */
  hostnames: string[];
  /** Only the current version runs this type; default false. */
  exclusive: boolean;
  /** No port and no route (a worker); default false. */
  standalone: boolean;
  /** Default `[]`. */
  crons: ManifestCron[];
  /** Default `{ timeoutSeconds: 20 }` (TCP). */
  healthCheck: ManifestHealthCheck;
}

/** A service the application uses (a database, parameters). */
export interface ManifestService {
  /** Unique within the manifest. */
  name: string;
  /** Service provider name, `paasmaker.service.mysql`. */
  plugin: string;
  /** The provider's parameters; `{}` when the manifest gives none. */
  parameters: JsonObject;
}

/** A validated application manifest, with every default filled in. */
export interface Manifest {
  /** The manifest format version; only 1 exists. */
  format: 1;
  application: {
    name: string;
    /** Free-form tags; default `{}`. */
    tags: JsonObject;
    /** Run on the working copy before packing; default no runtime and no commands. */
    prepare: { runtime: ManifestRuntime | null; commands: ManifestPluginRef[] };
  };
  instances: ManifestInstanceType[];
  /** Default `[]`. */
  services: ManifestService[];
}
