import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Tests run against the TypeScript sources; the packed-package test checks the built output.
const alias = {
  '@paasmaker/core': fileURLToPath(new URL('./packages/core/src/index.ts', import.meta.url)),
  '@paasmaker/test-servers': fileURLToPath(new URL('./tools/test-servers/src/index.mjs', import.meta.url)),
};

export default defineConfig({
  resolve: { alias },
  test: {
    projects: [
      {
        resolve: { alias },
        test: {
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
        test: { name: 'test-servers', root: './tools/test-servers', include: ['test/**/*.test.ts'] },
      },
      {
        resolve: { alias },
        test: {
          name: 'examples',
          root: './examples',
          include: ['**/test/**/*.test.ts'],
          exclude: ['**/node_modules/**'],
        },
      },
    ],
  },
});
