import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { isPaasmakerError } from '../kernel/errors';
import { checkPluginEntry } from '../kernel/plugin-availability';
import { NodeConfigError, parseNodeConfig } from '../node/node-config';
import type { NodeConfig } from '../node/node-config-schema';
import { CliError } from './errors';

/** The plugins `paasmaker up` always loads. */
export const UP_PLUGINS = ['@paasmaker/plugin-runtime-node', '@paasmaker/plugin-scm-git'] as const;

/**
 * Official plugins `paasmaker up` loads when they are installed and the machine can run them
 * (their `unavailable` check passes); otherwise it says in one line why not and how to enable them.
 */
export const UP_OPTIONAL_PLUGINS = [
  { plugin: '@paasmaker/plugin-runtime-php', serves: 'PHP apps' },
  { plugin: '@paasmaker/console', serves: 'the web console' },
] as const;

/** The keys of a `--config` file that `up` reads; the rest of a node config is up's. */
const CONFIG_KEYS = ['roles', 'isolation', 'plugins'];

type PluginSetting = { plugin: string; options?: Record<string, unknown> };
type ConfigFile = { roles?: Record<string, unknown>; isolation?: unknown; plugins?: PluginSetting[] };

/** What `up` was asked for, beyond its defaults. */
export interface UpNodeConfigOptions {
  dataFolder: string;
  tokens: { superToken: string; nodeToken: string };
  /** The ports given as flags (they win over the `--config` file); undefined when not given. */
  apiPort?: number;
  routerPort?: number;
  /** The ports when neither a flag nor the file sets them. */
  defaultPorts: { api: number; router: number };
  /** `--plugin` package names. */
  plugins: string[];
  /** `--config` file. */
  config?: string;
  /** Where plugin packages are resolved from (the current folder). */
  resolveFrom: string;
  /** Says why an optional official plugin is skipped. */
  info(line: string): void;
}

/**
 * The node config of `paasmaker up`: one node with the pacemaker (SQLite in the data folder),
 * a heart and the built-in router; the plugins of {@link UP_PLUGINS}, those of
 * {@link UP_OPTIONAL_PLUGINS} the machine can run, the `--plugin`s; then the `--config` file's
 * `roles` and `isolation` merged over that (objects key by key, other values replaced) and its
 * `plugins` added (an entry naming a plugin already loaded sets that plugin's options). Flags
 * given on the command line win over the file.
 */
export async function upNodeConfig(options: UpNodeConfigOptions): Promise<NodeConfig> {
  const file = options.config === undefined ? {} : await readConfigFile(options.config);
  const plugins: PluginSetting[] = [...UP_PLUGINS, ...options.plugins].map((plugin) => ({ plugin }));
  for (const setting of file.plugins ?? []) {
    const index = plugins.findIndex((entry) => entry.plugin === setting.plugin);
    if (index >= 0) plugins[index] = setting;
    else plugins.push(setting);
  }
  for (const optional of UP_OPTIONAL_PLUGINS) {
    if (plugins.some((entry) => entry.plugin === optional.plugin)) continue;
    const missing = await whyUnavailable(optional.plugin, options.resolveFrom);
    if (missing) options.info(`${optional.serves}: off — ${missing}`);
    else plugins.push({ plugin: optional.plugin });
  }
  const roles = merge(
    {
      pacemaker: { ...options.tokens, api: { port: options.defaultPorts.api } },
      heart: { stopInstancesOnClose: true },
      router: { port: options.defaultPorts.router },
    },
    file.roles ?? {},
  ) as { pacemaker: { api: { port?: number } }; router: { port?: number } };
  if (options.apiPort !== undefined) roles.pacemaker.api.port = options.apiPort;
  if (options.routerPort !== undefined) roles.router.port = options.routerPort;
  const raw = {
    name: 'paasmaker-up',
    dataFolder: options.dataFolder,
    logLevel: 'warn',
    roles,
    ...(file.isolation === undefined ? {} : { isolation: file.isolation }),
    plugins,
  };
  try {
    return parseNodeConfig(JSON.stringify(raw));
  } catch (error) {
    if (!(error instanceof NodeConfigError)) throw error;
    const problems = error.problems.map((problem) => `${problem.key}: ${problem.message}`).join('; ');
    throw new CliError(
      options.config === undefined
        ? `the node config of paasmaker up is invalid: ${problems}`
        : `${options.config} (merged over paasmaker up's settings): ${problems}`,
    );
  }
}

async function readConfigFile(file: string): Promise<ConfigFile> {
  let parsed: unknown;
  try {
    parsed = parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new CliError(`cannot read the node config ${file}: ${(error as Error).message.split('\n')[0]}`);
  }
  if (parsed === null || parsed === undefined) return {};
  if (typeof parsed !== 'object' || Array.isArray(parsed))
    throw new CliError(`${file}: a node config is a map (roles, isolation, plugins)`);
  const others = Object.keys(parsed).filter((key) => !CONFIG_KEYS.includes(key));
  if (others.length)
    throw new CliError(
      `${file}: paasmaker up reads only ${CONFIG_KEYS.join(', ')} from a node config, not ${others.join(', ')} (the data folder is --data)`,
    );
  const config = parsed as ConfigFile;
  if (config.plugins !== undefined && !Array.isArray(config.plugins))
    throw new CliError(`${file}: plugins must be a list of { plugin, options }`);
  return config;
}

/** Why an optional plugin cannot be loaded here (not installed, or the machine lacks what it needs). */
async function whyUnavailable(plugin: string, resolveFrom: string): Promise<string | undefined> {
  try {
    return await checkPluginEntry({ plugin }, resolveFrom);
  } catch (error) {
    if (isPaasmakerError(error) && error.code === 'E_PLUGIN_NOT_FOUND')
      return `${plugin} is not installed here: npm install ${plugin}`;
    throw error;
  }
}

/** `over` merged into `base`: plain objects key by key, anything else replaced. */
function merge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const current = out[key];
    out[key] = isObject(current) && isObject(value) ? merge(current, value) : value;
  }
  return out;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
