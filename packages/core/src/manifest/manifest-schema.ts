import type { JsonSchemaObject } from '../kernel/json-schema';

/** Application, instance type and service names: they appear in DNS names, so no underscores. */
export const MANIFEST_NAME_PATTERN = '^[-A-Za-z0-9.]+$';
/** Plugin (provider) names, `paasmaker.runtime.node`. */
export const MANIFEST_PLUGIN_PATTERN = '^[-a-z0-9._]+$';
/** A lower-case DNS name, optionally starting with one `*.` wildcard label. */
export const MANIFEST_HOSTNAME_PATTERN =
  '^(\\*\\.)?[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)*$';
/** Five whitespace-separated cron fields (minute hour day-of-month month day-of-week), or a nickname. */
export const MANIFEST_CRON_PATTERN =
  '^\\s*(@(yearly|annually|monthly|weekly|daily|hourly)|[-0-9A-Za-z*,/]+(\\s+[-0-9A-Za-z*,/]+){4})\\s*$';
/** The default placement policy. */
export const DEFAULT_MANIFEST_PLACEMENT = 'paasmaker.placement.default';
/** The default health check timeout, in seconds. */
export const DEFAULT_HEALTH_CHECK_TIMEOUT_SECONDS = 20;

/** Readable messages for the schema's patterns (ajv would print the regular expression). */
export const manifestPatternMessages: Readonly<Record<string, string>> = {
  [MANIFEST_NAME_PATTERN]: 'must contain only letters, digits, "-" and "." (it appears in hostnames)',
  [MANIFEST_PLUGIN_PATTERN]: 'must be a plugin name of lower-case letters, digits, "-", "_" and "."',
  [MANIFEST_HOSTNAME_PATTERN]:
    'must be a lower-case DNS name; a wildcard is allowed only as one leading label ("*.example.com")',
  [MANIFEST_CRON_PATTERN]:
    'must be a cron expression of five fields ("*/5 * * * *") or @hourly, @daily, @weekly, @monthly, @yearly',
  '^/': 'must start with "/"',
};

const plugin = {
  type: 'string',
  pattern: MANIFEST_PLUGIN_PATTERN,
  description: 'Name of the plugin (provider) to use, e.g. paasmaker.runtime.node.',
} as const satisfies JsonSchemaObject;

const parameters = {
  type: 'object',
  default: {},
  description: "The plugin's parameters; checked against the plugin's own schema when it is loaded.",
} as const satisfies JsonSchemaObject;

const version = {
  type: ['string', 'number'],
  minLength: 1,
  description: 'Runtime version; a number is kept exactly as written (5.30 stays "5.30").',
} as const satisfies JsonSchemaObject;

const pluginRef = {
  type: 'object',
  properties: {
    plugin,
    parameters,
    name: { type: 'string', default: '', description: 'A label for this step in job logs.' },
  },
  required: ['plugin'],
  additionalProperties: false,
} as const satisfies JsonSchemaObject;

const instanceRuntime = {
  type: 'object',
  properties: { plugin, version, parameters },
  required: ['plugin', 'version'],
  additionalProperties: false,
} as const satisfies JsonSchemaObject;

const prepareRuntime = {
  type: ['object', 'null'],
  description: 'Runtime environment the prepare commands run in; none when absent or null.',
  properties: { plugin, version, parameters, name: { type: 'string', default: '' } },
  required: ['plugin', 'version'],
  additionalProperties: false,
  default: null,
} as const satisfies JsonSchemaObject;

const cron = {
  type: 'object',
  properties: {
    runspec: { type: 'string', pattern: MANIFEST_CRON_PATTERN },
    uri: { type: 'string', pattern: '^/', description: 'Path requested on an instance.' },
    username: { type: ['string', 'null'], default: null },
    password: { type: ['string', 'null'], default: null },
  },
  required: ['runspec', 'uri'],
  additionalProperties: false,
} as const satisfies JsonSchemaObject;

const instanceType = {
  type: 'object',
  properties: {
    name: { type: 'string', pattern: MANIFEST_NAME_PATTERN, description: 'Unique in the manifest.' },
    quantity: { type: 'integer', minimum: 1, default: 1 },
    runtime: instanceRuntime,
    startup: {
      type: 'array',
      items: pluginRef,
      default: [],
      description: 'Commands run on the heart, in the instance folder, before each start.',
    },
    placement: {
      type: 'object',
      properties: { plugin: { ...plugin, default: DEFAULT_MANIFEST_PLACEMENT }, parameters },
      additionalProperties: false,
      default: {},
    },
    hostnames: {
      type: 'array',
      items: { type: 'string', maxLength: 253, pattern: MANIFEST_HOSTNAME_PATTERN },
      default: [],
      description: 'Public hostnames, routed to the current version only.',
    },
    exclusive: { type: 'boolean', default: false, description: 'Only the current version runs it.' },
    standalone: { type: 'boolean', default: false, description: 'No port and no route (a worker).' },
    crons: { type: 'array', items: cron, default: [] },
    health_check: {
      type: 'object',
      properties: {
        path: { type: 'string', pattern: '^/', description: 'HTTP path; a TCP connect when absent.' },
        timeout: {
          type: 'number',
          exclusiveMinimum: 0,
          default: DEFAULT_HEALTH_CHECK_TIMEOUT_SECONDS,
          description: 'Seconds an instance may take to answer after its launch.',
        },
      },
      additionalProperties: false,
      default: {},
    },
  },
  required: ['name', 'runtime'],
  additionalProperties: false,
} as const satisfies JsonSchemaObject;

const service = {
  type: 'object',
  properties: {
    name: { type: 'string', pattern: MANIFEST_NAME_PATTERN, description: 'Unique in the manifest.' },
    plugin,
    parameters,
  },
  required: ['name', 'plugin'],
  additionalProperties: false,
} as const satisfies JsonSchemaObject;

/**
 * The JSON Schema of an application manifest (`manifest.yml`), as written in YAML: snake_case
 * keys, unknown keys rejected everywhere except in `parameters` and `tags`. Published as
 * `@paasmaker/core/manifest.schema.json` for editors.
 */
export const manifestJsonSchema: JsonSchemaObject = {
  title: 'Paasmaker application manifest',
  type: 'object',
  properties: {
    manifest: {
      type: 'object',
      properties: { format: { type: 'integer', enum: [1], description: 'Manifest format; only 1 exists.' } },
      required: ['format'],
      additionalProperties: false,
    },
    application: {
      type: 'object',
      properties: {
        name: { type: 'string', pattern: MANIFEST_NAME_PATTERN },
        tags: { type: 'object', default: {}, description: 'Free-form tags.' },
        prepare: {
          type: 'object',
          properties: {
            runtime: prepareRuntime,
            commands: {
              type: 'array',
              items: pluginRef,
              default: [],
              description: 'Run in order on the working copy before it is packed.',
            },
          },
          additionalProperties: false,
          default: {},
        },
      },
      required: ['name'],
      additionalProperties: false,
    },
    instances: { type: 'array', items: instanceType, minItems: 1 },
    services: { type: 'array', items: service, default: [] },
  },
  required: ['manifest', 'application', 'instances'],
  additionalProperties: false,
};
