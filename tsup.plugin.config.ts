import { defineConfig } from 'tsup';

/**
 * The build of every plugin package (`packages/plugin-*`): `src/index.ts` to ESM + CJS +
 * `.d.ts` in `dist/`. Each package's `tsup.config.ts` re-exports this.
 */
export default defineConfig({
  entry: { index: 'src/index.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'node20',
  platform: 'node',
  // @paasmaker/core is a peer dependency: the host's copy is used, never a bundled one.
  external: ['@paasmaker/core'],
});
