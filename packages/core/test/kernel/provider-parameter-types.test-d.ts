import {
  defineCommand,
  defineHealthCheck,
  defineJobType,
  definePlacement,
  definePlugin,
  defineRuntime,
  defineScm,
  defineService,
  type JobTypeProvider,
  type JsonObject,
  type JsonSchemaObject,
  KERNEL_API_VERSION,
  type RuntimeProvider,
} from '@paasmaker/core';
import { describe, expectTypeOf, it } from 'vitest';

const resizeParameters = {
  type: 'object',
  properties: {
    count: { type: 'integer', minimum: 1 },
    note: { type: 'string' },
    mode: { enum: ['fast', 'slow'], default: 'fast' },
    tags: { type: 'array', items: { type: 'string' } },
  },
  required: ['count'],
  additionalProperties: false,
} as const satisfies JsonSchemaObject;

describe('typed parameters', () => {
  it('types a job run from its parametersSchema, defaults counting as present', () => {
    defineJobType({
      parametersSchema: resizeParameters,
      async run(job) {
        expectTypeOf(job.parameters.count).toEqualTypeOf<number>();
        expectTypeOf(job.parameters.note).toEqualTypeOf<string | undefined>();
        expectTypeOf(job.parameters.mode).toEqualTypeOf<'fast' | 'slow'>();
        expectTypeOf(job.parameters.tags).toEqualTypeOf<string[] | undefined>();
        // @ts-expect-error count is a number, not a string
        job.parameters.count.toUpperCase();
        // @ts-expect-error the schema has no `size`
        job.parameters.size;
        // @ts-expect-error note may be absent
        job.parameters.note.length;
        return { result: job.parameters.count * 2 };
      },
    });
  });

  it('infers from a schema written inline', () => {
    defineJobType({
      parametersSchema: { type: 'object', properties: { count: { type: 'integer' } }, required: ['count'] },
      async run(job) {
        expectTypeOf(job.parameters).toEqualTypeOf<{ count: number }>();
        return undefined;
      },
    });
  });

  it('gives an object schema without properties any JSON object', () => {
    defineJobType({
      parametersSchema: { type: 'object' },
      async run(job) {
        expectTypeOf(job.parameters).toEqualTypeOf<JsonObject>();
        return undefined;
      },
    });
  });

  it('refuses a misspelt schema and a run of the wrong shape', () => {
    defineJobType({
      // @ts-expect-error 'integr' is not a JSON Schema type
      parametersSchema: { type: 'object', properties: { count: { type: 'integr' } } },
      run: async () => undefined,
    });
    defineJobType({
      parametersSchema: resizeParameters,
      // @ts-expect-error a job's result is JSON, not a function
      run: async () => ({ result: () => 1 }),
    });
  });

  it('lets the hooks hold typed job types and providers', () => {
    const typed = defineJobType({ parametersSchema: resizeParameters, run: async () => undefined });
    const erased: JobTypeProvider = typed;
    expectTypeOf(erased.parametersSchema).not.toBeAny();
    definePlugin({
      name: 'acme.typed',
      version: '1.0.0',
      apiVersion: KERNEL_API_VERSION,
      setup(kernel) {
        kernel.hooks.jobType.for('acme.job.resize').tap('acme.typed', () => typed);
        kernel.hooks.runtime.for('acme.runtime.typed').tap('acme.typed', () =>
          defineRuntime({
            parametersSchema: { type: 'object', properties: { root: { type: 'string' } } },
            versions: async () => ['1'],
            start: async (instance) => {
              expectTypeOf(instance.parameters.root).toEqualTypeOf<string | undefined>();
            },
            stop: async () => {},
            status: async () => 'stopped',
          }),
        );
      },
    });
  });

  it('types provider parameters as written: a default does not make a property present', () => {
    const schema = {
      type: 'object',
      properties: {
        timeout: { type: 'number', default: 600 },
        commands: { type: 'array', items: { type: 'string' } },
      },
      required: ['commands'],
    } as const satisfies JsonSchemaObject;
    const command = defineCommand({
      parametersSchema: schema,
      async run(request) {
        expectTypeOf(request.parameters).toEqualTypeOf<{ commands: string[]; timeout?: number }>();
      },
    });
    expectTypeOf(command.run).parameter(0).toHaveProperty('parameters').toEqualTypeOf<{
      commands: string[];
      timeout?: number;
    }>();
    defineService({
      parametersSchema: { type: 'object', properties: { size: { type: 'integer' } } },
      async provision(request) {
        expectTypeOf(request.parameters.size).toEqualTypeOf<number | undefined>();
        return { protocol: 'x' };
      },
      deprovision: async () => {},
    });
    defineScm({
      parametersSchema: {
        type: 'object',
        properties: { location: { type: 'string' } },
        required: ['location'],
      },
      async checkout(request) {
        expectTypeOf(request.parameters.location).toEqualTypeOf<string>();
        return {};
      },
    });
    defineHealthCheck({
      parametersSchema: { type: 'object', properties: { depth: { type: 'integer', default: 1 } } },
      async check(parameters) {
        expectTypeOf(parameters.depth).toEqualTypeOf<number | undefined>();
        return { summary: 'ok' };
      },
    });
    definePlacement({
      parametersSchema: { type: 'object', properties: { zone: { type: 'string' } } },
      async choose(request) {
        expectTypeOf(request.parameters.zone).toEqualTypeOf<string | undefined>();
        return request.candidates;
      },
    });
  });

  it('keeps the plain interfaces for providers without a schema', () => {
    const runtime: RuntimeProvider = {
      versions: async () => [],
      start: async (instance) => {
        expectTypeOf(instance.parameters).toEqualTypeOf<JsonObject>();
      },
      stop: async () => {},
      status: async () => 'stopped',
    };
    expectTypeOf(runtime).not.toBeAny();
  });
});
