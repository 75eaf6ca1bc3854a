import type { JsonObject, JsonSchemaObject, JsonValue } from '../../kernel/json-schema';
import type { ApiRouteSchema } from './api-route';
import type { RouteKey, RouteRule } from './route-permissions';

const errorSchema = {
  type: 'object',
  properties: {
    error: {
      type: 'object',
      properties: {
        code: { type: 'string' },
        message: { type: 'string' },
        fields: {
          type: 'array',
          items: {
            type: 'object',
            properties: { field: { type: 'string' }, message: { type: 'string' } },
          },
        },
      },
      required: ['code', 'message'],
    },
  },
  required: ['error'],
};

const errorResponse = (description: string) => ({
  description,
  content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
});

/** The error answers every route may give, named once under `components.responses`. */
const errorResponses = {
  BadRequest: errorResponse('Invalid request; `error.fields` names each bad field'),
  Unauthorized: errorResponse('No or wrong credentials'),
  Forbidden: errorResponse('Lacking the permission'),
};

const responseRef = (name: keyof typeof errorResponses) => ({ $ref: `#/components/responses/${name}` });

/** Schema names by the very objects they name. */
type SchemaNames = ReadonlyMap<unknown, string>;

/** A copy of `schema` in which each named schema inside it is a `$ref` to its name. */
function referToNamed(schema: unknown, names: SchemaNames): JsonValue {
  const name = names.get(schema);
  if (name) return { $ref: `#/components/schemas/${name}` };
  return referInside(schema, names);
}

/** Like {@link referToNamed}, but `schema` itself stays whole (a named schema's own definition). */
function referInside(schema: unknown, names: SchemaNames): JsonValue {
  if (Array.isArray(schema)) return schema.map((item) => referToNamed(item, names));
  if (typeof schema !== 'object' || schema === null) return schema as JsonValue;
  return Object.fromEntries(Object.entries(schema).map(([key, value]) => [key, referToNamed(value, names)]));
}

function parameters(schema: JsonSchemaObject | undefined, where: 'path' | 'query'): JsonObject[] {
  const properties = (schema?.properties ?? {}) as Record<string, JsonObject>;
  const required = new Set(schema?.required ?? []);
  return Object.entries(properties).map(([name, property]) => ({
    name,
    in: where,
    required: where === 'path' || required.has(name),
    schema: property,
  }));
}

/** A JSON success: `{ data }`, with the data's schema when the route declares one. */
function successResponse(status: number, data: JsonSchemaObject | undefined, names: SchemaNames): JsonObject {
  if (status === 204) return { description: 'Done; no body' };
  if (!data) return { description: 'Success: `{ "data": ... }`' };
  return {
    description: 'Success',
    content: {
      'application/json': {
        schema: { type: 'object', properties: { data: referToNamed(data, names) }, required: ['data'] },
      },
    },
  };
}

/** One route in the OpenAPI document: its rule and the schemas it validates with. */
export interface DocumentedRoute {
  readonly key: RouteKey;
  readonly rule: RouteRule;
  readonly status: number;
  readonly schema: ApiRouteSchema;
  /** Set for routes answering other than JSON `{ data }`. */
  readonly produces?: 'text/plain';
}

/**
 * An OpenAPI 3.1 document of the routes, built from the very schemas they validate with; each
 * operation names its permission and scope under `x-paasmaker-permission`. The answers' schemas
 * found in `schemas` (the same objects) are defined once under `components.schemas` by their
 * names there and `$ref`ed wherever they appear.
 */
export function buildOpenApiDocument(
  prefix: string,
  routes: readonly DocumentedRoute[],
  schemas: Readonly<Record<string, JsonSchemaObject>> = {},
): JsonObject {
  const names: SchemaNames = new Map(Object.entries(schemas).map(([name, schema]) => [schema, name]));
  const paths: Record<string, Record<string, JsonObject>> = {};
  for (const { key, rule, status, schema, produces } of routes) {
    const [method = 'GET', path = '/'] = key.split(' ');
    const openApiPath = `${prefix}${path.replace(/:(\w+)/g, '{$1}')}`;
    const responses: Record<string, JsonObject> = {
      [String(status)]: produces
        ? { description: 'Success', content: { [produces]: { schema: { type: 'string' } } } }
        : successResponse(status, schema.data, names),
      '400': responseRef('BadRequest'),
    };
    if (rule.callers !== 'anonymous') {
      responses['401'] = responseRef('Unauthorized');
      responses['403'] = responseRef('Forbidden');
    }
    const operation: JsonObject = {
      summary: rule.summary,
      operationId: `${method.toLowerCase()}${path.replace(/[^A-Za-z0-9]+(\w)?/g, (_, c?: string) => (c ?? '').toUpperCase())}`,
      parameters: [...parameters(schema.params, 'path'), ...parameters(schema.querystring, 'query')],
      responses,
      'x-paasmaker-permission': {
        callers: rule.callers,
        permission: rule.permission,
        scope: rule.scope as unknown as JsonObject,
      },
    };
    if (rule.callers === 'anonymous') operation.security = [];
    if (schema.body)
      operation.requestBody = {
        required: Array.isArray(schema.body.required) && schema.body.required.length > 0,
        content: { 'application/json': { schema: schema.body as JsonObject } },
      };
    paths[openApiPath] ??= {};
    paths[openApiPath][method.toLowerCase()] = operation;
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Paasmaker pacemaker API', version: prefix.replace(/^.*\//, '') },
    security: [{ bearer: [] }, { basic: [] }],
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'A user API key, or a cluster token' },
        basic: { type: 'http', scheme: 'basic', description: 'login:password of a user' },
      },
      schemas: {
        Error: errorSchema,
        ...Object.fromEntries(
          Object.entries(schemas).map(([name, schema]) => [name, referInside(schema, names)]),
        ),
      },
      responses: errorResponses,
    },
    paths,
  };
}
