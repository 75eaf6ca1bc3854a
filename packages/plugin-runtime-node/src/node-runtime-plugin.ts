import { definePlugin, KERNEL_API_VERSION } from '@paasmaker/core';
import { createNodeRuntime, NODE_RUNTIME } from './node-runtime';
import { createNpmPrepare, NPM_PREPARE } from './npm-prepare';

/**
 * Runs Node apps (`paasmaker.runtime.node`) and installs their dependencies as a prepare step
 * (`paasmaker.prepare.npm`). Options: `nodeBinary` (default: the Node running Paasmaker),
 * `stopGraceMs` (time between SIGTERM and SIGKILL when stopping, default 5000) and
 * `npmCacheEntries` (dependency trees kept per application by the npm step, default 3; 0: none).
 */
export const nodeRuntimePlugin = definePlugin({
  name: NODE_RUNTIME,
  version: '0.0.0',
  apiVersion: KERNEL_API_VERSION,
  options: {
    type: 'object',
    properties: {
      nodeBinary: { type: 'string', minLength: 1 },
      stopGraceMs: { type: 'integer', minimum: 0, default: 5000 },
      npmCacheEntries: { type: 'integer', minimum: 0, default: 3 },
    },
    additionalProperties: false,
  },
  setup(kernel, options) {
    const nodeBinary = options.nodeBinary ?? process.execPath;
    const runtime = createNodeRuntime({ nodeBinary, stopGraceMs: options.stopGraceMs });
    const npm = createNpmPrepare({ nodeBinary, cacheEntries: options.npmCacheEntries });
    kernel.hooks.runtime.for(NODE_RUNTIME).tap(NODE_RUNTIME, () => runtime);
    kernel.hooks.prepare.for(NPM_PREPARE).tap(NODE_RUNTIME, () => npm);
  },
});
