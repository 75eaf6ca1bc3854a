import Ajv2020 from 'ajv/dist/2020';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_PREFIX, ROUTE_PERMISSIONS } from '../../../src/roles/pacemaker';
import { type ModelBackend, modelBackends } from '../../model/model-backends';
import { type ApiFixture, type CallerName, startApiFixture } from './pacemaker-api-fixture';
import { ROUTE_SAMPLES, splitKey } from './route-samples';

type OpenApiOperation = {
  responses: Record<
    string,
    { content?: { 'application/json'?: { schema: { properties: { data: object } } } } }
  >;
};

// The `data` schemas are not checked at run time: here every route's real answer must match the
// schema the OpenAPI document (and the types generated from it) promise.
describe("the pacemaker API's answers match the data schemas of its OpenAPI document", () => {
  let fx: ApiFixture;
  let backend: ModelBackend;
  let operations: Record<string, OpenApiOperation>;
  let components: object;
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });

  beforeAll(async () => {
    backend = await (modelBackends[0] as (typeof modelBackends)[number]).open();
    fx = await startApiFixture(backend.options);
    const document = JSON.parse((await fx.request('GET', `${API_PREFIX}/openapi.json`)).text).data;
    components = document.components;
    operations = {};
    for (const [path, methods] of Object.entries(
      document.paths as Record<string, Record<string, OpenApiOperation>>,
    ))
      for (const [method, operation] of Object.entries(methods))
        operations[`${method.toUpperCase()} ${path.slice(API_PREFIX.length).replace(/\{(\w+)\}/g, ':$1')}`] =
          operation;
  });
  afterAll(async () => {
    await fx?.close();
    await backend?.cleanUp();
  });

  const keys = Object.keys(ROUTE_PERMISSIONS) as (keyof typeof ROUTE_PERMISSIONS)[];
  const callers: CallerName[] = ['super', 'rightWorkspace'];
  describe.each(keys)('%s', (key) => {
    it.each(callers)('as %s', async (caller) => {
      const operation = operations[key];
      if (!operation) throw new Error(`${key} is not in the OpenAPI document`);
      const { method } = splitKey(key);
      const sample = await ROUTE_SAMPLES[key](fx);
      const response = await fx.request(method, `${API_PREFIX}${sample.path}`, {
        as: caller,
        body: sample.body,
        rawBody: sample.rawBody,
        contentType: sample.contentType,
      });
      if (response.status === 403 && caller !== 'super') return; // a cluster route: super answered it
      const declared = operation.responses[String(response.status)];
      expect(declared, `${response.status} ${response.text}`).toBeDefined();
      const schema = declared?.content?.['application/json']?.schema.properties.data;
      if (!schema) return; // no body, text, or a route that declares no data schema
      // Named schemas are `$ref`s to `#/components/schemas/...`: resolved beside the document's components.
      const valid = ajv.validate({ ...schema, components }, response.body.data);
      expect(ajv.errorsText(ajv.errors), JSON.stringify(response.body.data)).toBe('No errors');
      expect(valid).toBe(true);
    });
  });

  // Answers no typed client reads: nodes talking to the pacemaker, discovery.
  const undescribed = [
    'GET /jobs/stream',
    'POST /nodes/register',
    'POST /nodes/:uuid/report',
    'POST /nodes/:uuid/stop',
    'GET /packages/:name',
    'GET /openapi.json',
  ];
  it('declares the data schema of every other JSON answer', () => {
    const undeclared = Object.entries(operations)
      .filter(([, operation]) =>
        Object.entries(operation.responses).some(
          ([status, response]) => status.startsWith('2') && status !== '204' && !response.content,
        ),
      )
      .map(([key]) => key);
    expect(undeclared.sort()).toEqual([...undescribed].sort());
  });
});
