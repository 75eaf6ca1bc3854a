import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// Installs the package as npm would publish it into a fresh project, and uses it from there.
const run = promisify(execFile);
const packageDir = fileURLToPath(new URL('../..', import.meta.url));
const repositoryRoot = path.resolve(packageDir, '../..');
let consumer: string;

const plugin = `{ name: 'consumer.plugin', version: '1.0.0', apiVersion: KERNEL_API_VERSION,
  setup(kernel) { kernel.hooks.prepare.for('consumer.prepare').tap('consumer.plugin', () => ({ run: async () => {} })); } }`;

const sources: Record<string, string> = {
  'esm.mjs': `import { createKernel, definePlugin, KERNEL_API_VERSION } from '@paasmaker/core';
const kernel = await createKernel({ plugins: [definePlugin(${plugin})] });
console.log(kernel.hooks.prepare.names().join(','));
await kernel.close();`,
  'cjs.cjs': `const { createKernel, definePlugin, KERNEL_API_VERSION } = require('@paasmaker/core');
createKernel({ plugins: [definePlugin(${plugin})] }).then(async (kernel) => {
  console.log(kernel.hooks.prepare.names().join(','));
  await kernel.close();
});`,
  'deep-import.cjs': `try { require('@paasmaker/core/dist/index.cjs'); } catch (error) { console.log(error.code); }`,
  'typed.ts': `import { createKernel, definePlugin, KERNEL_API_VERSION, type RuntimeProvider } from '@paasmaker/core';
const runtime: RuntimeProvider = { versions: async () => ['1'], start: async () => {}, stop: async () => {}, status: async () => 'running' };
const ruby = definePlugin({ name: 'consumer.ruby', version: '1.0.0', apiVersion: KERNEL_API_VERSION,
  options: { type: 'object', properties: { binary: { type: 'string', default: 'ruby' } }, additionalProperties: false },
  setup(kernel, options) { const binary: string = options.binary; kernel.log.info(binary); kernel.hooks.runtime.for('r').tap('consumer.ruby', () => runtime); } });
export const kernel = createKernel({ plugins: [ruby] });
// @ts-expect-error a number is not a runtime
definePlugin({ name: 'x', version: '1', apiVersion: 1, setup(k) { k.hooks.runtime.for('x').tap('x', () => 42); } });`,
  'typed-cjs.cts': `import core = require('@paasmaker/core');
export const version: number = core.KERNEL_API_VERSION;`,
  'tsconfig.json': JSON.stringify({
    compilerOptions: {
      module: 'nodenext',
      moduleResolution: 'nodenext',
      target: 'es2022',
      strict: true,
      noEmit: true,
      types: ['node'],
      typeRoots: [path.join(repositoryRoot, 'node_modules/@types')],
    },
    files: ['typed.ts', 'typed-cjs.cts'],
  }),
};

beforeAll(async () => {
  if (!existsSync(path.join(packageDir, 'dist/index.js'))) {
    throw new Error('packages/core/dist is missing: run `npm run build` first (`npm test` does).');
  }
  consumer = await mkdtemp(path.join(tmpdir(), 'paasmaker-consumer-'));
  const { stdout } = await run(
    'npm',
    ['pack', '--ignore-scripts', '--json', '--pack-destination', consumer],
    {
      cwd: packageDir,
    },
  );
  const [{ filename }] = JSON.parse(stdout) as [{ filename: string }];
  await writeFile(
    path.join(consumer, 'package.json'),
    JSON.stringify({
      name: 'consumer',
      private: true,
      type: 'module',
      dependencies: { '@paasmaker/core': `file:./${filename}` },
    }),
  );
  await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts'], {
    cwd: consumer,
  });
  for (const [file, text] of Object.entries(sources)) await writeFile(path.join(consumer, file), text);
}, 180_000);

afterAll(async () => {
  if (consumer) await rm(consumer, { recursive: true, force: true });
});

describe('the packed @paasmaker/core', () => {
  it('loads with import()', async () => {
    const { stdout } = await run(process.execPath, ['esm.mjs'], { cwd: consumer });
    expect(stdout.trim()).toBe('consumer.prepare');
  });

  it('loads with require()', async () => {
    const { stdout } = await run(process.execPath, ['cjs.cjs'], { cwd: consumer });
    expect(stdout.trim()).toBe('consumer.prepare');
  });

  it('exposes nothing but its root', async () => {
    const { stdout } = await run(process.execPath, ['deep-import.cjs'], { cwd: consumer });
    expect(stdout.trim()).toBe('ERR_PACKAGE_PATH_NOT_EXPORTED');
  });

  it('gives an ESM and a CommonJS TypeScript consumer its types', async () => {
    const tsc = path.join(repositoryRoot, 'node_modules/typescript/bin/tsc');
    const result = await run(process.execPath, [tsc, '-p', '.'], { cwd: consumer }).catch(
      (error: { stdout: string }) => ({ stdout: error.stdout }),
    );
    expect(result.stdout).toBe('');
  }, 60_000);
});
