import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { patient } from '@paasmaker/test-servers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consumerTsconfig, installConsumer, packageDir, run, typeCheck } from './consumer-project';

// The packed core in a project that installs the drivers beside it (install scripts off, so
// better-sqlite3's native addon is not built): the drivers' types, and drivers loaded from the
// built ESM and CommonJS files.
let consumer: string;

const sources: Record<string, string> = {
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
  'tsconfig.json': consumerTsconfig(['typed.ts', 'typed-cjs.cts']),
  'redis.mjs': `import { createRedisJobStore } from '@paasmaker/core';
const store = createRedisJobStore({ url: 'redis://127.0.0.1:1' });
console.log(store.address);
await store.close();`,
  'redis.cjs': `const { createRedisJobStore } = require('@paasmaker/core');
const store = createRedisJobStore({ url: 'redis://127.0.0.1:1' });
console.log(store.address);
store.close();`,
  'sqlite.mjs': `import { createSqlJobStore } from '@paasmaker/core';
try { createSqlJobStore(); } catch (error) { console.log(error.code, error.message); }`,
};

beforeAll(async () => {
  const manifest = JSON.parse(await readFile(path.join(packageDir, 'package.json'), 'utf8')) as {
    peerDependencies: Record<string, string>;
  };
  // The drivers whose types core's declarations name, and better-sqlite3 (installed, not built).
  const devDependencies = Object.fromEntries(
    ['knex', 'ioredis', 'fastify', 'better-sqlite3'].map((name) => {
      const range = manifest.peerDependencies[name];
      if (!range) throw new Error(`@paasmaker/core has no peer dependency on ${name}`);
      return [name, range];
    }),
  );
  consumer = await installConsumer({ devDependencies, installFlags: ['--ignore-scripts'], sources });
}, patient(300_000));

afterAll(async () => {
  if (consumer) await rm(consumer, { recursive: true, force: true });
});

describe('the packed @paasmaker/core beside its drivers', () => {
  it(
    'gives an ESM and a CommonJS TypeScript consumer its types',
    async () => {
      expect(await typeCheck(consumer)).toBe('');
    },
    patient(240_000),
  );

  it.each(['redis.mjs', 'redis.cjs'])('loads a driver the project installed (%s)', async (script) => {
    const { stdout } = await run(process.execPath, [script], { cwd: consumer });
    expect(stdout.trim()).toBe('redis://127.0.0.1:1');
  });

  it('says so when a native driver is installed but was never built', async () => {
    const { stdout } = await run(process.execPath, ['sqlite.mjs'], { cwd: consumer });
    expect(stdout).toMatch(
      /^E_DRIVER_MISSING the SQLite job store needs better-sqlite3, which is installed but cannot load \(.+\); .*npm rebuild better-sqlite3/,
    );
  });
});
