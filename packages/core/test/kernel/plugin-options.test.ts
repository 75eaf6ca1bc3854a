import {
  type AnyPlugin,
  createKernel,
  definePlugin,
  KERNEL_API_VERSION,
  PaasmakerError,
} from '@paasmaker/core';
import { describe, expect, it } from 'vitest';
import { errorFrom } from './test-plugin';

const seen: unknown[] = [];
const rubyRuntime = definePlugin({
  name: 'acme.runtime.ruby',
  version: '1.2.0',
  apiVersion: KERNEL_API_VERSION,
  options: {
    type: 'object',
    properties: {
      rubyBinary: { type: 'string', default: 'ruby' },
      versions: { type: 'array', items: { type: 'string' }, default: ['3.3'] },
      mode: { type: 'string', enum: ['managed', 'external'] },
      limits: {
        type: 'object',
        properties: { memoryMb: { type: 'integer', minimum: 64 } },
        additionalProperties: false,
      },
    },
    additionalProperties: false,
  },
  setup(_kernel, options) {
    seen.push(options);
  },
});

describe('plugin options', () => {
  it('applies the schema defaults before setup', async () => {
    seen.length = 0;
    const kernel = await createKernel({ plugins: [rubyRuntime] });
    expect(seen).toEqual([{ rubyBinary: 'ruby', versions: ['3.3'] }]);
    await kernel.close();
  });

  it('passes given options through and leaves the caller’s object untouched', async () => {
    seen.length = 0;
    const given = { rubyBinary: '/opt/ruby/bin/ruby' };
    const kernel = await createKernel({ plugins: [{ plugin: rubyRuntime, options: given }] });
    expect(seen).toEqual([{ rubyBinary: '/opt/ruby/bin/ruby', versions: ['3.3'] }]);
    expect(given).toEqual({ rubyBinary: '/opt/ruby/bin/ruby' });
    await kernel.close();
  });

  it('names the plugin and the JSON path of a wrong type', async () => {
    const error = await errorFrom(() =>
      createKernel({ plugins: [{ plugin: rubyRuntime, options: { rubyBinary: 42 } }] }),
    );
    expect(error).toBeInstanceOf(PaasmakerError);
    expect(error.code).toBe('E_PLUGIN_OPTIONS');
    expect(error.message).toBe('acme.runtime.ruby: /rubyBinary must be string');
  });

  it('reports every problem at once, with nested paths, unknown keys and allowed values', async () => {
    const error = await errorFrom(() =>
      createKernel({
        plugins: [
          {
            plugin: rubyRuntime,
            options: { versions: ['3.3', 4], mode: 'auto', limits: { memoryMb: 8 }, rubyBinay: 'x' },
          },
        ],
      }),
    );
    expect(error.code).toBe('E_PLUGIN_OPTIONS');
    expect(error.message).toContain('acme.runtime.ruby: ');
    expect(error.message).toContain('/ must NOT have additional properties: "rubyBinay"');
    expect(error.message).toContain('/versions/1 must be string');
    expect(error.message).toContain(
      '/mode must be equal to one of the allowed values ("managed", "external")',
    );
    expect(error.message).toContain('/limits/memoryMb must be >= 64');
  });

  it('refuses options for a plugin that declares none', async () => {
    const bare = definePlugin({
      name: 'acme.bare',
      version: '1.0.0',
      apiVersion: KERNEL_API_VERSION,
      setup() {},
    });
    const error = await errorFrom(() =>
      createKernel({ plugins: [{ plugin: bare, options: { verbose: true } }] }),
    );
    expect(error.code).toBe('E_PLUGIN_OPTIONS');
    expect(error.message).toBe('acme.bare: / must NOT have additional properties: "verbose"');
  });

  it('reports a plugin whose options schema is not valid JSON Schema', async () => {
    // Written in plain JavaScript: in TypeScript, definePlugin would not compile this schema.
    const broken: AnyPlugin = {
      name: 'acme.broken',
      version: '1.0.0',
      apiVersion: KERNEL_API_VERSION,
      options: JSON.parse('{ "type": "objekt" }'),
      setup() {},
    };
    const error = await errorFrom(() => createKernel({ plugins: [broken] }));
    expect(error.code).toBe('E_PLUGIN_INVALID');
    expect(error.message).toMatch(/^acme\.broken: its options schema is not a valid JSON Schema/);
  });
});
