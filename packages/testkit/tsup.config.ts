import { defineConfig } from 'tsup';

/**
 * ESM only: the kit runs inside vitest, which cannot be loaded with `require()`, so a CommonJS
 * build would only fail later. Core and vitest are the host's copies (peer dependencies).
 */
export default defineConfig({
  entry: { index: 'src/index.ts' },
  format: ['esm'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'node20',
  platform: 'node',
  external: ['@paasmaker/core', 'vitest'],
});
