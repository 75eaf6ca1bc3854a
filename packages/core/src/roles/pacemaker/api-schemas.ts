import type { JsonSchemaObject } from '../../kernel/json-schema';
import { PERMISSIONS } from '../../model/permissions';

// The JSON Schemas the routes validate with; the OpenAPI document is generated from the same
// objects. Bodies refuse unknown properties so that a typo is an error, not a silent no-op.

/** A record id in a path: a positive integer (a path like `..%2F..` fails here, never reaches SQL). */
export const idSchema = { type: 'integer', minimum: 1, maximum: 2 ** 53 - 1 } as const;

/** Path parameters that are all record ids. */
export function idParams(...names: string[]): JsonSchemaObject {
  return {
    type: 'object',
    properties: Object.fromEntries(names.map((name) => [name, idSchema])),
    required: names,
  };
}

const uuidSchema = {
  type: 'string',
  pattern: '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$',
} as const;

/** A job id in a path (a UUID). */
export const jobIdParams: JsonSchemaObject = {
  type: 'object',
  properties: { jobId: uuidSchema },
  required: ['jobId'],
};

/** A node's UUID in a path. */
export const nodeUuidParams: JsonSchemaObject = {
  type: 'object',
  properties: { uuid: uuidSchema },
  required: ['uuid'],
};

const name = { type: 'string', minLength: 2, maxLength: 200 } as const;
const stub = { type: 'string', pattern: '^[-A-Za-z0-9.]+$', minLength: 1, maxLength: 63 } as const;
const tags = {
  type: 'object',
  maxProperties: 100,
  additionalProperties: { type: 'string', maxLength: 1000 },
} as const;

export const workspaceCreateBody: JsonSchemaObject = {
  type: 'object',
  properties: { name, stub, tags },
  required: ['name', 'stub'],
  additionalProperties: false,
};

export const workspaceUpdateBody: JsonSchemaObject = {
  type: 'object',
  properties: { name, stub, tags },
  minProperties: 1,
  additionalProperties: false,
};

const login = { type: 'string', pattern: '^[A-Za-z0-9._@-]+$', minLength: 2, maxLength: 100 } as const;
const email = { type: 'string', pattern: '^[^@\\s]+@[^@\\s]+$', maxLength: 254 } as const;
const password = { type: 'string', minLength: 8, maxLength: 1000 } as const;

export const userCreateBody: JsonSchemaObject = {
  type: 'object',
  properties: { login, email, name, password, enabled: { type: 'boolean' } },
  required: ['login', 'email', 'name', 'password'],
  additionalProperties: false,
};

export const userUpdateBody: JsonSchemaObject = {
  type: 'object',
  properties: { login, email, name, password, enabled: { type: 'boolean' } },
  minProperties: 1,
  additionalProperties: false,
};

export const apiKeyCreateBody: JsonSchemaObject = {
  type: 'object',
  properties: { label: { type: 'string', maxLength: 200 } },
  additionalProperties: false,
};

const permissions = {
  anyOf: [
    { type: 'array', items: { type: 'string', enum: [...PERMISSIONS] }, maxItems: 100 },
    { type: 'string', enum: ['ALL'] },
  ],
} as const;

export const roleCreateBody: JsonSchemaObject = {
  type: 'object',
  properties: { name, permissions },
  required: ['name', 'permissions'],
  additionalProperties: false,
};

export const roleUpdateBody: JsonSchemaObject = {
  type: 'object',
  properties: { name, permissions },
  minProperties: 1,
  additionalProperties: false,
};

export const allocationCreateBody: JsonSchemaObject = {
  type: 'object',
  properties: {
    userId: idSchema,
    roleId: idSchema,
    workspaceId: { anyOf: [idSchema, { type: 'null' }] },
  },
  required: ['userId', 'roleId'],
  additionalProperties: false,
};

export const allocationQuery: JsonSchemaObject = {
  type: 'object',
  properties: { userId: idSchema, roleId: idSchema, workspaceId: idSchema },
  additionalProperties: false,
};

export const jobListQuery: JsonSchemaObject = {
  type: 'object',
  properties: {
    tag: { type: 'string', pattern: '^[^:\\s]+:\\S+$', maxLength: 200 },
    limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 },
    offset: { type: 'integer', minimum: 0, maximum: 1_000_000, default: 0 },
  },
  required: ['tag'],
  additionalProperties: false,
};

export const jobAbortBody: JsonSchemaObject = {
  type: 'object',
  properties: { reason: { type: 'string', maxLength: 1000 } },
  additionalProperties: false,
};

const manifestPath = { type: 'string', minLength: 1, maxLength: 500, pattern: '^[^\\0]+$' } as const;

export const applicationCreateBody: JsonSchemaObject = {
  type: 'object',
  properties: { name, manifestPath },
  required: ['name'],
  additionalProperties: false,
};

export const applicationUpdateBody: JsonSchemaObject = {
  type: 'object',
  properties: { name, manifestPath },
  minProperties: 1,
  additionalProperties: false,
};

export const nodeStopBody: JsonSchemaObject = {
  type: 'object',
  properties: { reason: { type: 'string', maxLength: 1000 } },
  additionalProperties: false,
};

export const serviceCreateBody: JsonSchemaObject = {
  type: 'object',
  properties: {
    name,
    provider: { type: 'string', pattern: '^[A-Za-z0-9._-]+$', minLength: 1, maxLength: 200 },
    parameters: { type: 'object', maxProperties: 100 },
  },
  required: ['name', 'provider'],
  additionalProperties: false,
};
