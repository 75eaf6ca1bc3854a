// A node in a process of its own, for the heart loss test: starts the node PAAS_CONFIG (a node
// config as JSON) with the node runtime and git plugins, prints `ready` once it runs, then waits
// to be killed. Run with `node --import tsx` and TSX_TSCONFIG_PATH naming a tsconfig whose paths
// map the @paasmaker packages to their sources (see spawnNodeChild).
import './lua-text-loader';

const { createNode, parseNodeConfig } = await import('@paasmaker/core');
const { default: nodeRuntime } = await import('@paasmaker/plugin-runtime-node');
const { default: gitScm } = await import('@paasmaker/plugin-scm-git');
const config = parseNodeConfig(process.env.PAAS_CONFIG ?? '');
await createNode(config, {
  plugins: [nodeRuntime, { plugin: gitScm, options: { cacheDirectory: `${config.dataFolder}/git-cache` } }],
});
process.stdout.write('ready\n');
setInterval(() => {}, 60_000);
