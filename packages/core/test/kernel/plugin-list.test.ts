import { createKernel, definePlugin } from '@paasmaker/core';
import { describe, expect, it } from 'vitest';
import { errorFrom, testPlugin } from './test-plugin';

describe('checking the plugin list', () => {
  it('refuses a plugin written for another kernel API version, saying what to change', async () => {
    const future = definePlugin({ name: 'acme.future', version: '3.0.0', apiVersion: 2, setup() {} });
    const error = await errorFrom(() => createKernel({ plugins: [future] }));
    expect(error.code).toBe('E_PLUGIN_API_VERSION');
    expect(error.message).toContain('acme.future: written for kernel API 2');
    expect(error.message).toContain('provides API 1');
  });

  it('refuses two plugins with one name', async () => {
    const error = await errorFrom(() =>
      createKernel({ plugins: [testPlugin('acme.twice'), testPlugin('acme.twice')] }),
    );
    expect(error.code).toBe('E_PLUGIN_DUPLICATE');
    expect(error.message).toMatch(/^acme\.twice: listed twice/);
  });

  it('refuses a missing dependency before running any setup', async () => {
    let setUp = false;
    const error = await errorFrom(() =>
      createKernel({
        plugins: [
          testPlugin('acme.first', {
            setup: () => {
              setUp = true;
            },
          }),
          testPlugin('acme.needy', { dependencies: ['acme.absent'] }),
        ],
      }),
    );
    expect(error.code).toBe('E_PLUGIN_DEPENDENCY');
    expect(error.message).toBe(
      'acme.needy: depends on acme.absent, which is not in the plugin list; add acme.absent to the plugins.',
    );
    expect(setUp).toBe(false);
  });

  it('refuses a dependency cycle and names it', async () => {
    const error = await errorFrom(() =>
      createKernel({
        plugins: [
          testPlugin('acme.a', { dependencies: ['acme.b'] }),
          testPlugin('acme.b', { dependencies: ['acme.a'] }),
        ],
      }),
    );
    expect(error.code).toBe('E_PLUGIN_DEPENDENCY');
    expect(error.message).toContain('(acme.a -> acme.b -> acme.a)');
  });

  it('sets plugins up after their dependencies, otherwise in the order given', async () => {
    const order: string[] = [];
    const track = (name: string, dependencies?: string[]) =>
      testPlugin(name, { dependencies, setup: () => void order.push(name) });
    const kernel = await createKernel({
      plugins: [
        track('acme.app', ['acme.db']),
        track('acme.logs'),
        track('acme.db', ['acme.config']),
        track('acme.config'),
      ],
    });
    expect(order).toEqual(['acme.config', 'acme.db', 'acme.app', 'acme.logs']);
    expect(kernel.plugins.map((p) => p.name)).toEqual(order);
    await kernel.close();
  });

  it('refuses something that is not a plugin', async () => {
    const error = await errorFrom(() =>
      createKernel({ plugins: [{ plugin: { name: 'acme.half' } as never, options: {} }] }),
    );
    expect(error.code).toBe('E_PLUGIN_INVALID');
    expect(error.message).toMatch(/^acme\.half: a plugin object is not a plugin/);
  });
});
