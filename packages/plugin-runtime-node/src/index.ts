// The public API of @paasmaker/plugin-runtime-node; the default export is the plugin, so a
// config file can name the package.
export { type NodeLaunch, resolveNodeLaunch } from './launch-command';
export {
  createNodeRuntime,
  NODE_RUNTIME,
  type NodeRuntimeOptions,
  nodeRuntimeParametersSchema,
} from './node-runtime';
export { nodeRuntimePlugin, nodeRuntimePlugin as default } from './node-runtime-plugin';
export { createNpmPrepare, NPM_PREPARE, npmPrepareParametersSchema } from './npm-prepare';
