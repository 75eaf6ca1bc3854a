import type { JsonSchema } from '../../kernel/json-schema';

const stringMap = { type: 'object', additionalProperties: { type: 'string' } } as const;

/** JSON Schema of an {@link InstanceRegistration}, as the register job's parameters carry it. */
export const instanceRegistrationSchema = {
  type: 'object',
  properties: {
    instanceId: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$' },
    application: {
      type: 'object',
      properties: {
        name: { type: 'string', minLength: 1 },
        workspace: { type: 'string' },
        workspaceStub: { type: 'string' },
        version: { type: 'integer', minimum: 1 },
        instanceType: { type: 'string', minLength: 1 },
      },
      required: ['name', 'workspace', 'workspaceStub', 'version', 'instanceType'],
      additionalProperties: false,
    },
    runtime: {
      type: 'object',
      properties: {
        name: { type: 'string', minLength: 1 },
        version: { type: 'string' },
        parameters: { type: 'object' },
      },
      required: ['name', 'version', 'parameters'],
      additionalProperties: false,
    },
    startup: {
      type: 'array',
      items: {
        type: 'object',
        properties: { plugin: { type: 'string', minLength: 1 }, parameters: { type: 'object' } },
        required: ['plugin', 'parameters'],
        additionalProperties: false,
      },
    },
    standalone: { type: 'boolean' },
    healthCheck: {
      type: 'object',
      properties: {
        path: { type: 'string', pattern: '^/' },
        timeoutSeconds: { type: 'number', exclusiveMinimum: 0 },
      },
      required: ['timeoutSeconds'],
      additionalProperties: false,
    },
    package: {
      type: 'object',
      properties: {
        url: { type: 'string', minLength: 1 },
        checksum: { type: 'string' },
        packageType: { type: 'string', minLength: 1 },
      },
      required: ['url', 'checksum', 'packageType'],
      additionalProperties: false,
    },
    environment: stringMap,
  },
  required: [
    'instanceId',
    'application',
    'runtime',
    'startup',
    'standalone',
    'healthCheck',
    'package',
    'environment',
  ],
  additionalProperties: false,
} as const satisfies JsonSchema;
