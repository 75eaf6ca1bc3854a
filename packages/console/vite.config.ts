import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// The browser app: app/ → dist/app/ (index.html and hashed assets), served by the console plugin.
export default defineConfig({
  root: fileURLToPath(new URL('./app', import.meta.url)),
  base: '/',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: fileURLToPath(new URL('./dist/app', import.meta.url)),
    emptyOutDir: true,
    sourcemap: false,
    target: 'es2022',
  },
});
