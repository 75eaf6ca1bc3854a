import { defineConfig } from 'tsup';

// The library: @paasmaker/core re-exported. The `paasmaker` bin is bin/paasmaker.js (core's CLI).
export default defineConfig({
  entry: { index: 'src/index.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  target: 'node20',
  platform: 'node',
});
