import {
  type AuthDecision,
  createKernel,
  definePlugin,
  type InferFromSchema,
  KERNEL_API_VERSION,
  type RuntimeProvider,
} from '@paasmaker/core';
import { describe, expectTypeOf, it } from 'vitest';

const runtime: RuntimeProvider = {
  versions: async () => ['3.3'],
  start: async () => {},
  stop: async () => {},
  status: async () => 'running',
};

describe('plugin author types', () => {
  it('types setup options from the options schema, defaults counting as present', () => {
    definePlugin({
      name: 'acme.runtime.ruby',
      version: '1.0.0',
      apiVersion: KERNEL_API_VERSION,
      options: {
        type: 'object',
        properties: {
          rubyBinary: { type: 'string', default: 'ruby' },
          versions: { type: 'array', items: { type: 'string' } },
          mode: { type: 'string', enum: ['managed', 'external'] },
          port: { type: 'integer' },
          limits: { type: 'object', properties: { memoryMb: { type: 'number' } }, required: ['memoryMb'] },
        },
        required: ['port'],
        additionalProperties: false,
      },
      setup(_kernel, options) {
        expectTypeOf(options).toEqualTypeOf<{
          rubyBinary: string;
          port: number;
          versions?: string[];
          mode?: 'managed' | 'external';
          limits?: { memoryMb: number };
        }>();
      },
    });
  });

  it('gives a plugin without an options schema no options', () => {
    definePlugin({
      name: 'acme.bare',
      version: '1.0.0',
      apiVersion: KERNEL_API_VERSION,
      setup(_kernel, options) {
        expectTypeOf(options).toEqualTypeOf<Record<never, never>>();
      },
    });
  });

  it('rejects a misspelt schema keyword value at compile time', () => {
    definePlugin({
      name: 'acme.typo',
      version: '1.0.0',
      apiVersion: KERNEL_API_VERSION,
      // @ts-expect-error 'strng' is not a JSON Schema type
      options: { type: 'object', properties: { name: { type: 'strng' } } },
      setup() {},
    });
  });

  it('refuses a provider of the wrong shape on a provider hook', () => {
    definePlugin({
      name: 'acme.runtime.half',
      version: '1.0.0',
      apiVersion: KERNEL_API_VERSION,
      setup(kernel) {
        kernel.hooks.runtime.for('acme.runtime.ok').tap('acme.runtime.ok', () => runtime);
        const half = kernel.hooks.runtime.for('acme.runtime.half');
        // @ts-expect-error a runtime must implement stop and status too
        half.tap('acme.runtime.half', () => ({ versions: async () => [] }));
        const wrong = kernel.hooks.runtime.for('acme.runtime.wrong');
        const service = { provision: async () => ({ protocol: 'x' }), deprovision: async () => {} };
        // @ts-expect-error a service provider is not a runtime
        wrong.tap('acme.runtime.wrong', () => service);
        const bool = kernel.hooks.runtime.for('acme.runtime.bool');
        // @ts-expect-error status answers 'running' or 'stopped', not a boolean
        bool.tap('x', () => ({ ...runtime, status: async () => true }));
      },
    });
  });

  it('types the cross-cutting hooks', () => {
    definePlugin({
      name: 'acme.hooks',
      version: '1.0.0',
      apiVersion: KERNEL_API_VERSION,
      setup({ hooks }) {
        hooks.auth.tapPromise('ok', async (credentials): Promise<AuthDecision | undefined> => {
          expectTypeOf(credentials.kind).toEqualTypeOf<'password' | 'token'>();
          return undefined;
        });
        // @ts-expect-error an auth decision needs an outcome
        hooks.auth.tapPromise('bad', async () => ({ principal: { kind: 'super', source: 'x' } }));
        hooks.instanceEnvironment.tapPromise('ok', async (env, instance) => ({
          ...env,
          APP: instance.application,
        }));
        // @ts-expect-error the environment waterfall must return the environment
        hooks.instanceEnvironment.tapPromise('bad', async () => {});
        hooks.jobStateChanged.tapPromise('ok', async (change) => {
          expectTypeOf(change.state).toEqualTypeOf<
            'NEW' | 'WAITING' | 'RUNNING' | 'SUCCESS' | 'FAILED' | 'ABORTED'
          >();
        });
      },
    });
  });

  it('types provider lookups by kind', async () => {
    const kernel = await createKernel({ plugins: [] });
    expectTypeOf(kernel.provider('runtime', 'x')).toEqualTypeOf<RuntimeProvider>();
    // @ts-expect-error there is no 'database' provider kind
    kernel.provider('database', 'x');
  });

  it('infers nested data shapes from a schema', () => {
    const schema = {
      type: 'object',
      properties: {
        tags: { type: 'object', additionalProperties: { type: 'string' } },
        on: { type: 'boolean' },
      },
      required: ['tags'],
    } as const;
    expectTypeOf<InferFromSchema<typeof schema>>().toEqualTypeOf<{
      tags: { [key: string]: string };
      on?: boolean;
    }>();
  });
});
