import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createKernel } from '@paasmaker/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorFrom } from './test-plugin';

let project: string;

async function writePackage(name: string, files: Record<string, string>): Promise<void> {
  const folder = path.join(project, 'node_modules', name);
  await mkdir(folder, { recursive: true });
  for (const [file, text] of Object.entries(files)) await writeFile(path.join(folder, file), text);
}

const pluginSource = (name: string) => `{
  name: '${name}',
  version: '2.0.0',
  apiVersion: 1,
  options: { type: 'object', properties: { greeting: { type: 'string', default: 'hello' } }, additionalProperties: false },
  setup(kernel, options) {
    kernel.hooks.prepare.for('${name}').tap('${name}', () => ({
      run: async (request) => { request.parameters.out.push(options.greeting); },
    }));
  },
}`;

beforeAll(async () => {
  project = await mkdtemp(path.join(tmpdir(), 'paasmaker-plugin-packages-'));
  await writePackage('acme-prepare-esm', {
    'package.json': JSON.stringify({ name: 'acme-prepare-esm', type: 'module', exports: './index.js' }),
    'index.js': `export default ${pluginSource('acme.prepare.esm')};`,
  });
  await writePackage('acme-prepare-cjs', {
    'package.json': JSON.stringify({ name: 'acme-prepare-cjs', main: 'index.js' }),
    'index.js': `module.exports = ${pluginSource('acme.prepare.cjs')};`,
  });
  await writePackage('acme-not-a-plugin', {
    'package.json': JSON.stringify({ name: 'acme-not-a-plugin', main: 'index.js' }),
    'index.js': 'module.exports = { hello: "world" };',
  });
});

afterAll(async () => {
  await rm(project, { recursive: true, force: true });
});

describe('loading plugins by package name', () => {
  it('imports ESM and CommonJS packages and validates their options', async () => {
    const kernel = await createKernel({
      resolveFrom: project,
      plugins: [
        { plugin: 'acme-prepare-esm', options: { greeting: 'bonjour' } },
        { plugin: 'acme-prepare-cjs' },
      ],
    });
    expect(kernel.plugins).toEqual([
      { name: 'acme.prepare.esm', version: '2.0.0' },
      { name: 'acme.prepare.cjs', version: '2.0.0' },
    ]);
    const out: string[] = [];
    const call = { log: kernel.log, signal: new AbortController().signal };
    for (const name of ['acme.prepare.esm', 'acme.prepare.cjs']) {
      await kernel
        .provider('prepare', name)
        .run({ directory: project, environment: {}, parameters: { out } as never }, call);
    }
    expect(out).toEqual(['bonjour', 'hello']);
    await kernel.close();
  });

  it('says how to install a package that cannot be found', async () => {
    const error = await errorFrom(() =>
      createKernel({ resolveFrom: project, plugins: [{ plugin: 'acme-missing' }] }),
    );
    expect(error.code).toBe('E_PLUGIN_NOT_FOUND');
    expect(error.message).toContain('plugin package "acme-missing" cannot be found from');
    expect(error.message).toContain('npm install acme-missing');
  });

  it('refuses a package that does not export a plugin', async () => {
    const error = await errorFrom(() =>
      createKernel({ resolveFrom: project, plugins: [{ plugin: 'acme-not-a-plugin' }] }),
    );
    expect(error.code).toBe('E_PLUGIN_INVALID');
    expect(error.message).toContain('package "acme-not-a-plugin" is not a plugin');
  });

  it('validates options of a package plugin with its own schema', async () => {
    const error = await errorFrom(() =>
      createKernel({
        resolveFrom: project,
        plugins: [{ plugin: 'acme-prepare-esm', options: { greeting: 7 } }],
      }),
    );
    expect(error.code).toBe('E_PLUGIN_OPTIONS');
    expect(error.message).toBe('acme.prepare.esm: /greeting must be string');
  });
});
