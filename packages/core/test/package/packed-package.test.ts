import { readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { patient } from '@paasmaker/test-servers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consumerTsconfig, installConsumer, run, typeCheck } from './consumer-project';

// Installs only the packed core into a fresh project, as a plugin author would, with install
// scripts allowed: it must build nothing, pull no driver, and load without any.
let consumer: string;

const plugin = `{ name: 'consumer.plugin', version: '1.0.0', apiVersion: KERNEL_API_VERSION,
  setup(kernel) { kernel.hooks.prepare.for('consumer.prepare').tap('consumer.plugin', () => ({ run: async () => {} })); } }`;

/** What core drives but does not depend on: none of them is installed with core alone. */
const drivers = ['better-sqlite3', 'pg', 'ioredis', 'knex', 'fastify', '@fastify/rate-limit', 'ws'];

// Every area that needs a driver, tried without it; prints `<area> <code> <message>` lines.
const areas = `const kernel = await createKernel({ plugins: [] });
const tries = {
  'sqlite-jobs': () => createSqlJobStore(),
  'postgres-jobs': () => createSqlJobStore({ connection: 'postgres://127.0.0.1:1/jobs' }),
  'redis-jobs': () => createRedisJobStore(),
  'sqlite-model': () => createModel({ filename: ':memory:' }),
  'postgres-model': () => createModel({ connection: 'postgres://127.0.0.1:1/model' }),
  'api': () => createPacemakerApi({ kernel, model: {}, jobs: {} }),
  'stream-server': () => new JobStreamServer({ nodeId: 'n', logs: {}, store: {} }),
  'stream-client': () => new JobStreamClient({ url: 'ws://127.0.0.1:1' }),
};
for (const [area, attempt] of Object.entries(tries)) {
  try { await attempt(); console.log(area, 'no error'); }
  catch (error) { console.log(area, error.code, error.message); }
}
await kernel.close();`;

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
  'areas.mjs': `import { createKernel, createModel, createPacemakerApi, createRedisJobStore, createSqlJobStore, JobStreamClient, JobStreamServer } from '@paasmaker/core';
${areas}`,
  'areas.cjs': `const { createKernel, createModel, createPacemakerApi, createRedisJobStore, createSqlJobStore, JobStreamClient, JobStreamServer } = require('@paasmaker/core');
(async () => {
${areas}
})();`,
  'plugin.ts': `import { createKernel, definePlugin, KERNEL_API_VERSION } from '@paasmaker/core';
const greeter = definePlugin({ name: 'consumer.greeter', version: '1.0.0', apiVersion: KERNEL_API_VERSION,
  options: { type: 'object', properties: { greeting: { type: 'string', default: 'hello' } }, additionalProperties: false },
  setup(kernel, options) { const greeting: string = options.greeting; kernel.log.info(greeting); } });
export const kernel = createKernel({ plugins: [greeter] });
// @ts-expect-error greeting is a string
definePlugin({ name: 'x', version: '1', apiVersion: 1, options: { type: 'object', properties: { n: { type: 'integer' } } }, setup(k, o) { const n: string = o.n; k.log.info(n); } });`,
  // The driver packages' own types are not installed: declaration files are not checked (the
  // default of `tsc --init`); packed-package-drivers.test.ts checks them with the drivers.
  'tsconfig.json': consumerTsconfig(['plugin.ts'], { skipLibCheck: true }),
};

/** Every file below `folder`, recursively. */
async function filesBelow(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { recursive: true, withFileTypes: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => path.join(entry.parentPath, entry.name));
}

beforeAll(async () => {
  consumer = await installConsumer({ installFlags: ['--ignore-scripts=false'], sources });
}, patient(300_000));

afterAll(async () => {
  if (consumer) await rm(consumer, { recursive: true, force: true });
});

describe('the packed @paasmaker/core, installed alone', () => {
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

  it('pulls no driver, runs no install script and builds no native addon', async () => {
    const modules = path.join(consumer, 'node_modules');
    const installed = (await filesBelow(modules)).map((file) => path.relative(modules, file));
    for (const driver of drivers)
      expect(installed.filter((file) => file.startsWith(`${driver}/`))).toEqual([]);
    expect(installed.filter((file) => file.endsWith('.node'))).toEqual([]);
    const lock = JSON.parse(await readFile(path.join(modules, '.package-lock.json'), 'utf8')) as {
      packages: Record<string, { hasInstallScript?: boolean }>;
    };
    const withScripts = Object.entries(lock.packages).filter(([, entry]) => entry.hasInstallScript);
    expect(withScripts.map(([name]) => name)).toEqual([]);
    expect(Object.keys(lock.packages)).toContain('node_modules/@paasmaker/core');
  });

  it.each([
    ['areas.mjs', 'import()'],
    ['areas.cjs', 'require()'],
  ])('names the packages to install for each area that needs a driver (%s, %s)', async (script) => {
    const { stdout } = await run(process.execPath, [script], { cwd: consumer });
    const lines = Object.fromEntries(
      stdout
        .trim()
        .split('\n')
        .map((line) => [line.split(' ')[0], line.slice(line.indexOf(' ') + 1)]),
    );
    const install = (packages: string) =>
      expect.stringMatching(new RegExp(`^E_DRIVER_MISSING .* npm install ${packages} `));
    expect(lines).toEqual({
      'sqlite-jobs': install('knex better-sqlite3'),
      'postgres-jobs': install('knex pg'),
      'redis-jobs': install('ioredis'),
      'sqlite-model': install('knex better-sqlite3'),
      'postgres-model': install('knex pg'),
      api: install('fastify @fastify/rate-limit'),
      'stream-server': install('ws'),
      'stream-client': install('ws'),
    });
    expect(lines['redis-jobs']).toContain('the Redis job store needs ioredis, not installed');
  });

  it(
    'gives a TypeScript plugin author its types',
    async () => {
      expect(await typeCheck(consumer)).toBe('');
    },
    patient(240_000),
  );
});
