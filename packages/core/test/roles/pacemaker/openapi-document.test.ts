import { describe, expect, it } from 'vitest';
import type { JsonSchemaObject } from '../../../src/kernel/json-schema';
import { buildOpenApiDocument, type DocumentedRoute, type RouteKey } from '../../../src/roles/pacemaker';

const thing: JsonSchemaObject = {
  type: 'object',
  properties: { id: { type: 'integer' }, label: { type: 'string' } },
  required: ['id'],
  additionalProperties: false,
};
const pair: JsonSchemaObject = {
  type: 'object',
  properties: { left: thing, right: thing, note: { type: 'string' } },
};
const unnamed: JsonSchemaObject = { type: 'object', properties: { count: { type: 'integer' } } };

const route = (key: string, data: JsonSchemaObject, anonymous = false): DocumentedRoute => ({
  key: key as RouteKey,
  status: 200,
  schema: { data },
  rule: {
    callers: anonymous ? 'anonymous' : 'user',
    permission: null,
    scope: { kind: 'cluster' },
    summary: key,
  },
});

const routes = [
  route('GET /things', { type: 'array', items: thing }),
  route('GET /things/:thingId', thing),
  route('GET /pairs', pair),
  route('GET /count', unnamed, true),
];

type Operation = {
  responses: Record<
    string,
    { $ref?: string; content?: Record<string, { schema: { properties: { data: unknown } } }> }
  >;
};

const build = () =>
  buildOpenApiDocument('/api/v1', routes, { Thing: thing, Pair: pair }) as unknown as {
    components: { schemas: Record<string, unknown>; responses: Record<string, unknown> };
    paths: Record<string, { get: Operation }>;
  };

const dataOf = (operation: Operation | undefined) =>
  operation?.responses['200']?.content?.['application/json']?.schema.properties.data;

/** Every `$ref` in `value`, with where it stands. */
function refsIn(value: unknown, at = '#'): [string, string][] {
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, inner]): [string, string][] =>
    key === '$ref' && typeof inner === 'string' ? [[at, inner]] : refsIn(inner, `${at}/${key}`),
  );
}

/** What a local `$ref` (`#/components/schemas/Thing`) points at in `document`. */
const resolve = (document: object, ref: string): unknown =>
  ref
    .slice(2)
    .split('/')
    .reduce<unknown>((place, key) => (place as Record<string, unknown> | undefined)?.[key], document);

describe('buildOpenApiDocument', () => {
  it('defines each named schema once and $refs it wherever the very object stands', () => {
    const document = build();
    expect(document.components.schemas.Thing).toEqual(thing);
    expect(document.components.schemas.Pair).toEqual({
      ...pair,
      properties: {
        left: { $ref: '#/components/schemas/Thing' },
        right: { $ref: '#/components/schemas/Thing' },
        note: { type: 'string' },
      },
    });
    expect(dataOf(document.paths['/api/v1/things']?.get)).toEqual({
      type: 'array',
      items: { $ref: '#/components/schemas/Thing' },
    });
    expect(dataOf(document.paths['/api/v1/things/{thingId}']?.get)).toEqual({
      $ref: '#/components/schemas/Thing',
    });
    expect(dataOf(document.paths['/api/v1/pairs']?.get)).toEqual({ $ref: '#/components/schemas/Pair' });
    expect(dataOf(document.paths['/api/v1/count']?.get)).toEqual(unnamed);
  });

  it('leaves the schemas it was given as they were', () => {
    const before = JSON.stringify([thing, pair, unnamed]);
    build();
    expect(JSON.stringify([thing, pair, unnamed])).toBe(before);
  });

  it('names the error answers once, 401 and 403 only where credentials are needed', () => {
    const document = build();
    expect(document.paths['/api/v1/things']?.get.responses).toMatchObject({
      '400': { $ref: '#/components/responses/BadRequest' },
      '401': { $ref: '#/components/responses/Unauthorized' },
      '403': { $ref: '#/components/responses/Forbidden' },
    });
    expect(Object.keys(document.paths['/api/v1/count']?.get.responses ?? {}).sort()).toEqual(['200', '400']);
    expect(Object.keys(document.components.responses).sort()).toEqual([
      'BadRequest',
      'Forbidden',
      'Unauthorized',
    ]);
  });

  it('has every $ref resolve within the document', () => {
    const document = build();
    const refs = refsIn(document);
    expect(refs.length).toBeGreaterThan(8);
    for (const [at, ref] of refs) expect(resolve(document, ref), `${at}: ${ref}`).toBeDefined();
  });

  it('inlines everything without named schemas', () => {
    const document = buildOpenApiDocument('/api/v1', routes) as unknown as ReturnType<typeof build>;
    expect(dataOf(document.paths['/api/v1/pairs']?.get)).toEqual(pair);
    expect(Object.keys(document.components.schemas)).toEqual(['Error']);
  });
});
