import { definePlugin, KERNEL_API_VERSION } from '@paasmaker/core';
import { createStaticRuntime, RUNTIME_NAME } from './runtime';

/** A runtime that serves an instance's folder (or a `documentRoot` inside it) as static files. */
export default definePlugin({
  name: RUNTIME_NAME,
  version: '1.0.0',
  apiVersion: KERNEL_API_VERSION,
  options: {
    type: 'object',
    properties: {
      indexFile: { type: 'string', minLength: 1, default: 'index.html' },
      cacheSeconds: { type: 'integer', minimum: 0, default: 0 },
    },
    additionalProperties: false,
  },
  setup(kernel, options) {
    const runtime = createStaticRuntime({ indexFile: options.indexFile, cacheSeconds: options.cacheSeconds });
    kernel.hooks.runtime.for(RUNTIME_NAME).tap(RUNTIME_NAME, () => runtime.provider);
    kernel.onClose(() => runtime.stopAll(kernel.log));
  },
});
