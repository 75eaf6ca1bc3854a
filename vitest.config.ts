import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vitest/config';
import { patient } from './tools/test-servers/src/patience.mjs';

// Tests run against the TypeScript sources; the packed-package test checks the built output.
const alias = {
  '@paasmaker/core': fileURLToPath(new URL('./packages/core/src/index.ts', import.meta.url)),
  '@paasmaker/test-servers': fileURLToPath(new URL('./tools/test-servers/src/index.mjs', import.meta.url)),
  '@paasmaker/plugin-runtime-node': fileURLToPath(
    new URL('./packages/plugin-runtime-node/src/index.ts', import.meta.url),
  ),
  '@paasmaker/plugin-scm-git': fileURLToPath(
    new URL('./packages/plugin-scm-git/src/index.ts', import.meta.url),
  ),
  '@paasmaker/plugin-runtime-php': fileURLToPath(
    new URL('./packages/plugin-runtime-php/src/index.ts', import.meta.url),
  ),
  '@paasmaker/plugin-service-mysql': fileURLToPath(
    new URL('./packages/plugin-service-mysql/src/index.ts', import.meta.url),
  ),
  '@paasmaker/testkit': fileURLToPath(new URL('./packages/testkit/src/index.ts', import.meta.url)),
};

// The Redis job store imports its Lua scripts as text (tsup does the same with a loader).
const luaAsText: Plugin = {
  name: 'lua-as-text',
  transform(code, id) {
    if (id.endsWith('.lua')) return { code: `export default ${JSON.stringify(code)}`, map: null };
  },
};

// Tests start real servers, nodes and apps; on a loaded 2-core runner a test may take many times
// its quiet-machine time. Generous bounds keep them from failing for being slow, never for
// being wrong: the assertions are what fail a test. PAASMAKER_TEST_PATIENCE scales them all.
const patience = {
  testTimeout: patient(60_000),
  hookTimeout: patient(120_000),
  expect: { poll: { timeout: patient(30_000) } },
};

export default defineConfig({
  resolve: { alias },
  test: {
    globalSetup: ['./tools/test-servers/src/remove-test-tenant-users.mjs'],
    projects: [
      {
        resolve: { alias },
        plugins: [luaAsText],
        test: {
          ...patience,
          name: 'core',
          root: './packages/core',
          include: ['test/**/*.test.ts'],
          typecheck: {
            enabled: true,
            include: ['test/**/*.test-d.ts'],
            tsconfig: '../../tsconfig.json',
          },
        },
      },
      {
        resolve: { alias },
        test: {
          ...patience,
          name: 'test-servers',
          root: './tools/test-servers',
          include: ['test/**/*.test.ts'],
        },
      },
      {
        resolve: { alias },
        plugins: [luaAsText],
        test: {
          ...patience,
          name: 'plugin-scm-git',
          root: './packages/plugin-scm-git',
          include: ['test/**/*.test.ts'],
        },
      },
      {
        resolve: { alias },
        plugins: [luaAsText],
        test: {
          ...patience,
          name: 'plugin-runtime-php',
          root: './packages/plugin-runtime-php',
          include: ['test/**/*.test.ts'],
        },
      },
      {
        resolve: { alias },
        plugins: [luaAsText],
        test: {
          ...patience,
          name: 'plugin-service-mysql',
          root: './packages/plugin-service-mysql',
          include: ['test/**/*.test.ts'],
        },
      },
      {
        resolve: { alias },
        plugins: [luaAsText],
        test: {
          ...patience,
          name: 'plugin-runtime-node',
          root: './packages/plugin-runtime-node',
          include: ['test/**/*.test.ts'],
        },
      },
      {
        resolve: { alias },
        plugins: [luaAsText],
        test: {
          ...patience,
          name: 'testkit',
          root: './packages/testkit',
          include: ['test/**/*.test.ts'],
        },
      },
      {
        resolve: { alias },
        plugins: [luaAsText],
        test: {
          ...patience,
          name: 'console',
          root: './packages/console',
          include: ['test/**/*.test.ts'],
        },
      },
      {
        resolve: { alias },
        plugins: [luaAsText],
        test: {
          ...patience,
          name: 'examples',
          root: './examples',
          include: ['**/test/**/*.test.ts'],
          exclude: ['**/node_modules/**'],
        },
      },
    ],
  },
});
