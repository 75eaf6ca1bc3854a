import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { index: 'src/index.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'node20',
  platform: 'node',
  // The kernel is a peer dependency: the host's copy is used, never a bundled one.
  external: ['@paasmaker/core'],
});
