import type { JsonObject, JsonSchemaObject } from '../kernel/json-schema';
import type { TenantIsolationOptions } from '../tenancy/tenant-users';

/** Default port of the pacemaker's HTTP API (the original's `http_port`). */
export const DEFAULT_API_PORT = 42500;
/** Default address the pacemaker's HTTP API listens on. */
export const DEFAULT_API_HOST = '127.0.0.1';
/** Default database of the pacemaker: a SQLite file in the data folder. */
export const DEFAULT_PACEMAKER_DATABASE = 'pacemaker.db';
/** Default cluster hostname: generated hostnames end in it, and `*.localhost` reaches this machine. */
export const DEFAULT_CLUSTER_HOSTNAME = 'paasmaker.localhost';
/** Default port of the built-in router (the original's nginx "direct" port). */
export const DEFAULT_ROUTER_PORT = 42530;
/** Default ports of instances on a heart (inclusive). */
export const DEFAULT_HEART_PORTS = { min: 42600, max: 42699 } as const;
/**
 * Default interval of node reports, in milliseconds (the original's `node_report_interval` was
 * 60 s): short, so that a lost heart is noticed in seconds (see `health.downAfterReports`).
 */
export const DEFAULT_NODE_REPORT_INTERVAL_MS = 2_000;

const MIN_TOKEN = 32;

/** `roles.pacemaker.health`: the health manager (docs/health.md). */
const healthConfigSchema = {
  type: 'object',
  properties: {
    enabled: { type: 'boolean', default: true },
    downAfterReports: { type: 'integer', minimum: 2, maximum: 1000, default: 3 },
    intervalMs: { type: 'integer', minimum: 100, maximum: 86_400_000, default: 5000 },
    failingAfterErrors: { type: 'integer', minimum: 1, maximum: 1000, default: 3 },
    replaceBackoffMs: { type: 'integer', minimum: 0, maximum: 86_400_000, default: 30_000 },
    replaceBackoffMaxMs: { type: 'integer', minimum: 0, maximum: 86_400_000, default: 600_000 },
    checks: {
      type: 'object',
      additionalProperties: {
        type: 'object',
        properties: {
          enabled: { type: 'boolean', default: true },
          everyMs: { type: 'integer', minimum: 100, maximum: 86_400_000 },
          parameters: { type: 'object' },
        },
        additionalProperties: false,
      },
      default: {},
    },
  },
  additionalProperties: false,
  default: {},
} as const satisfies JsonSchemaObject;

/**
 * The JSON Schema of a node config file (after `${env:NAME}` references are replaced).
 * Unknown keys are rejected everywhere except inside a plugin's `options`, which the plugin's
 * own schema checks when the kernel loads it.
 */
export const nodeConfigSchema = {
  type: 'object',
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 255, pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$' },
    dataFolder: { type: 'string', minLength: 1 },
    logLevel: {
      type: 'string',
      enum: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'],
      default: 'info',
    },
    roles: {
      type: 'object',
      properties: {
        pacemaker: {
          type: 'object',
          properties: {
            database: { type: 'string', minLength: 1, default: DEFAULT_PACEMAKER_DATABASE },
            jobStore: { type: 'string', pattern: '^(sql|rediss?://.+)$', default: 'sql' },
            superToken: { type: 'string', minLength: MIN_TOKEN },
            nodeToken: { type: 'string', minLength: MIN_TOKEN },
            nodeReportIntervalMs: {
              type: 'integer',
              minimum: 1,
              maximum: 2 ** 31 - 1,
              default: DEFAULT_NODE_REPORT_INTERVAL_MS,
            },
            api: {
              type: 'object',
              properties: {
                host: { type: 'string', minLength: 1, default: DEFAULT_API_HOST },
                port: { type: 'integer', minimum: 0, maximum: 65535, default: DEFAULT_API_PORT },
              },
              additionalProperties: false,
              default: {},
            },
            clusterHostname: {
              type: 'string',
              pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$',
              default: DEFAULT_CLUSTER_HOSTNAME,
            },
            drainMs: { type: 'integer', minimum: 0, maximum: 600_000, default: 1000 },
            routingTable: { type: 'string', pattern: '^redis://[^\\s]+$' },
            routerConfirmMs: { type: 'integer', minimum: 0, maximum: 600_000, default: 10_000 },
            health: healthConfigSchema,
          },
          required: ['superToken', 'nodeToken'],
          additionalProperties: false,
        },
        heart: {
          type: 'object',
          properties: {
            route: { type: 'string', minLength: 1, pattern: '^[^\\s/]+$', default: '127.0.0.1' },
            ports: {
              type: 'object',
              properties: {
                min: { type: 'integer', minimum: 1024, maximum: 65535, default: DEFAULT_HEART_PORTS.min },
                max: { type: 'integer', minimum: 1024, maximum: 65535, default: DEFAULT_HEART_PORTS.max },
              },
              additionalProperties: false,
              default: {},
            },
            stopInstancesOnClose: { type: 'boolean', default: false },
            pacemaker: {
              type: 'object',
              properties: {
                url: { type: 'string', pattern: '^https?://[^\\s]+$' },
                nodeToken: { type: 'string', minLength: MIN_TOKEN },
                jobStore: { type: 'string', pattern: '^rediss?://.+$' },
              },
              required: ['url', 'nodeToken', 'jobStore'],
              additionalProperties: false,
            },
          },
          additionalProperties: false,
        },
        router: {
          type: 'object',
          properties: {
            host: { type: 'string', minLength: 1, default: DEFAULT_API_HOST },
            port: { type: 'integer', minimum: 0, maximum: 65535, default: DEFAULT_ROUTER_PORT },
            connectTimeoutMs: { type: 'integer', minimum: 1, maximum: 600_000, default: 1500 },
            nginx: {
              type: 'object',
              properties: {
                redis: { type: 'string', pattern: '^redis://[^\\s@]+$' },
                binary: { type: 'string', minLength: 1, default: 'nginx' },
                modulesDirectory: { type: 'string', minLength: 1, default: '/usr/lib/nginx/modules' },
                workerProcesses: { type: 'integer', minimum: 1, maximum: 256, default: 1 },
              },
              required: ['redis'],
              additionalProperties: false,
            },
          },
          additionalProperties: false,
        },
      },
      additionalProperties: false,
      minProperties: 1,
    },
    isolation: {
      type: 'object',
      properties: {
        mode: { type: 'string', enum: ['per-application', 'single-tenant'] },
        userPool: {
          type: 'array',
          items: { type: 'string', pattern: '^[a-z_][a-z0-9_-]{0,31}$' },
          uniqueItems: true,
        },
        passEnvironment: {
          type: 'array',
          items: { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_]*$' },
          uniqueItems: true,
        },
        limits: {
          type: 'object',
          properties: {
            openFiles: { type: 'integer', minimum: 64, maximum: 1_048_576 },
            processes: { type: 'integer', minimum: 8, maximum: 4_194_304 },
          },
          additionalProperties: false,
        },
      },
      additionalProperties: false,
      default: {},
    },
    plugins: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          plugin: { type: 'string', minLength: 1 },
          options: { type: 'object' },
        },
        required: ['plugin'],
        additionalProperties: false,
      },
      default: [],
    },
  },
  required: ['dataFolder', 'roles'],
  additionalProperties: false,
} as const satisfies JsonSchemaObject;

/** The pacemaker role of a node config, defaults filled in. */
export interface PacemakerRoleConfig {
  /** A PostgreSQL URL (`postgres://…`), or a SQLite file (absolute, resolved against the data folder). */
  readonly database: string;
  /** `sql` (the pacemaker's database) or a Redis URL. */
  readonly jobStore: string;
  readonly superToken: string;
  readonly nodeToken: string;
  readonly nodeReportIntervalMs: number;
  readonly api: { readonly host: string; readonly port: number };
  /** Suffix of generated hostnames (`1.web.shop.default.<clusterHostname>`). */
  readonly clusterHostname: string;
  /** How long a stopped instance keeps serving after it leaves the routing table. */
  readonly drainMs: number;
  /** A Redis URL the routing table is published to, for nginx routers (`roles.router.nginx`). */
  readonly routingTable?: string;
  /** How long a switch waits for the nginx routers to confirm the new table before it is undone. */
  readonly routerConfirmMs: number;
  /** The health manager's settings. */
  readonly health: HealthConfig;
}

/** `roles.pacemaker.health`: how the pacemaker's health manager runs (see docs/health.md). */
export interface HealthConfig {
  /** Run the health manager; default true. */
  readonly enabled: boolean;
  /** Missed reports after which a node is `DOWN` (and its instances replaced); default 3. */
  readonly downAfterReports: number;
  /** How often each health check runs unless `checks.<name>.everyMs` says otherwise; default 5000. */
  readonly intervalMs: number;
  /** ERROR reports of one instance after which it is replaced on another heart; default 3. */
  readonly failingAfterErrors: number;
  /**
   * Wait after replacing a version's failing instances before replacing them again (doubling with
   * each replacement, up to `replaceBackoffMaxMs`); default 30 000.
   */
  readonly replaceBackoffMs: number;
  /** The longest wait between replacements of a version's failing instances; default 600 000. */
  readonly replaceBackoffMaxMs: number;
  /** Per check (by provider name): turned off, its own interval, its parameters. */
  readonly checks: Readonly<
    Record<string, { readonly enabled: boolean; readonly everyMs?: number; readonly parameters?: JsonObject }>
  >;
}

/** The heart role: runs instances, beside a pacemaker or (with `pacemaker`) on a node of its own. */
export interface HeartRoleConfig {
  /** Address the router reaches this node's instances on. */
  readonly route: string;
  /** Ports given to instances, inclusive. */
  readonly ports: { readonly min: number; readonly max: number };
  /** Stop instances when the node stops (they start again with it); default: leave them running. */
  readonly stopInstancesOnClose: boolean;
  /**
   * The pacemaker of a heart in a node without the pacemaker role: its URL, the cluster's node
   * token, and the Redis job store they share.
   */
  readonly pacemaker?: { readonly url: string; readonly nodeToken: string; readonly jobStore: string };
}

/** The nginx router: reads the routing table a pacemaker publishes to Redis. */
export interface NginxRouterRoleConfig {
  /** The Redis the table is in (best a local replica); `redis://host:port`, no password. */
  readonly redis: string;
  readonly binary: string;
  readonly modulesDirectory: string;
  readonly workerProcesses: number;
}

/**
 * The router role: the built-in HTTP router, which needs the pacemaker role in the same node, or
 * with `nginx` the nginx router, which may run on a node of its own.
 */
export interface RouterRoleConfig {
  readonly host: string;
  readonly port: number;
  /** Milliseconds an instance may take to accept a connection before another is tried (built-in router). */
  readonly connectTimeoutMs: number;
  readonly nginx?: NginxRouterRoleConfig;
}

/** A plugin the kernel loads by package name. */
export interface NodePluginConfig {
  readonly plugin: string;
  readonly options?: JsonObject;
}

/** A validated node config: paths absolute, defaults filled in, environment references replaced. */
export interface NodeConfig {
  /** The file it came from (absolute), if any. */
  readonly file?: string;
  /** Folder relative paths and plugin packages are resolved from: the config file's folder. */
  readonly baseDir: string;
  /** The node's name; default the host name. */
  readonly name: string;
  /** Absolute path of the node's data folder. */
  readonly dataFolder: string;
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  readonly roles: {
    readonly pacemaker?: PacemakerRoleConfig;
    readonly heart?: HeartRoleConfig;
    readonly router?: RouterRoleConfig;
  };
  readonly plugins: readonly NodePluginConfig[];
  /** How tenant code is isolated on this node (see `docs/security.md`). */
  readonly isolation?: TenantIsolationOptions;
  /**
   * The values `${env:NAME}` references in the file were replaced with: secrets kept out of the
   * file, so they are masked in logs with the rest of `nodeConfigSecrets`.
   */
  readonly environmentValues?: readonly string[];
}
