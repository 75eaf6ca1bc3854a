import { defineConfig } from 'tsup';

export default defineConfig({
  // `index`: the library; `cli`: the `paasmaker` command (bin), built to dist/cli.js.
  entry: { index: 'src/index.ts', cli: 'src/cli/bin.ts' },
  format: ['esm', 'cjs'],
  // Types for the library only.
  dts: { entry: { index: 'src/index.ts' } },
  clean: true,
  sourcemap: true,
  target: 'node20',
  platform: 'node',
  // `import.meta.url` in the CommonJS build too: optional drivers are required relative to it.
  shims: true,
  // Lua scripts (lua/jobs/*.lua) are bundled as strings.
  loader: { '.lua': 'text' },
});
