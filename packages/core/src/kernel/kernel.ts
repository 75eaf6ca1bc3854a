import { type Logger, pino } from 'pino';
import { PaasmakerError } from './errors';
import { createKernelHooks, type KernelHooks, type ProviderKind, type ProviderOf } from './kernel-hooks';
import { pluginUnavailable } from './plugin-availability';
import { type PluginEntry, type ResolvedPluginEntry, resolvePluginEntries } from './plugin-entry';
import type { PluginKernel } from './plugin-kernel';
import { validatePluginOptions } from './plugin-options';
import { orderPlugins } from './plugin-order';

/** How to build a kernel. */
export interface KernelOptions {
  /** The plugins to load; see {@link PluginEntry}. */
  plugins: readonly PluginEntry[];
  /** Logger for the kernel and (as children) its plugins. Default: a silent logger. */
  logger?: Logger;
  /** How long each plugin's `setup` may take, in milliseconds. Default: 10 000. */
  setupTimeoutMs?: number;
  /** Folder plugin packages named by string are resolved from. Default: the current directory. */
  resolveFrom?: string;
  /** The node's data folder, given to plugins as `kernel.dataFolder` (for defaults of their own folders). */
  dataFolder?: string;
}

/** A plugin the kernel loaded, in load order. */
export interface LoadedPlugin {
  name: string;
  version: string;
}

/** A kernel with its plugins set up. */
export interface Kernel {
  /** Every hook of the kernel. */
  readonly hooks: KernelHooks;
  readonly log: Logger;
  /** The loaded plugins, in the order they were set up. */
  readonly plugins: readonly LoadedPlugin[];
  /** The provider registered under `name`; fails with `E_PROVIDER_UNKNOWN` if there is none. */
  provider<K extends ProviderKind>(kind: K, name: string): ProviderOf<K>;
  /** Runs every teardown plugins registered, in reverse load order. Safe to call twice. */
  close(): Promise<void>;
}

type Teardown = () => void | Promise<void>;

/**
 * Loads plugins and sets each up, in dependency order. Every problem with the plugin list is
 * found before any setup runs; if a setup fails, the plugins already set up are torn down
 * again before the error is thrown.
 */
export async function createKernel(options: KernelOptions): Promise<Kernel> {
  const log = options.logger ?? pino({ enabled: false });
  const setupTimeoutMs = options.setupTimeoutMs ?? 10_000;
  const entries = orderPlugins(
    await resolvePluginEntries(options.plugins, options.resolveFrom ?? process.cwd()),
  );
  const validated = entries.map((entry) => ({
    ...entry,
    options: validatePluginOptions(entry.definition, entry.options),
  }));
  for (const entry of validated) {
    const missing = pluginUnavailable(entry.definition, entry.options);
    if (missing) throw new PaasmakerError('E_PLUGIN_OPTIONS', missing);
  }

  const hooks = createKernelHooks();
  const teardowns: { plugin: string; run: Teardown }[] = [];
  const loaded: LoadedPlugin[] = [];
  let closed = false;

  const provider = <K extends ProviderKind>(kind: K, name: string): ProviderOf<K> => {
    if (closed) {
      throw new PaasmakerError(
        'E_KERNEL_CLOSED',
        `the kernel is closed; cannot look up ${kind} provider "${name}".`,
      );
    }
    const found = hooks[kind].find(name) as ProviderOf<K> | undefined;
    if (found === undefined) {
      const known = hooks[kind].names();
      throw new PaasmakerError(
        'E_PROVIDER_UNKNOWN',
        `no ${kind} provider named "${name}" (loaded: ${known.length ? known.join(', ') : 'none'}); add the plugin that provides it to the kernel's plugins.`,
      );
    }
    return found;
  };

  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    const failures: unknown[] = [];
    for (const teardown of teardowns.reverse()) {
      try {
        await teardown.run();
      } catch (error) {
        log.error({ err: error, plugin: teardown.plugin }, 'plugin teardown failed');
        failures.push(
          new PaasmakerError(
            'E_KERNEL_CLOSE',
            `${teardown.plugin}: teardown failed: ${(error as Error).message}`,
            { cause: error },
          ),
        );
      }
    }
    if (failures.length) {
      throw new PaasmakerError(
        'E_KERNEL_CLOSE',
        `${failures.length} plugin teardown(s) failed: ${failures.map((f) => (f as Error).message).join('; ')}`,
        { cause: new AggregateError(failures) },
      );
    }
  };

  for (const entry of validated) {
    try {
      await setUpPlugin(entry, {
        hooks,
        log,
        teardowns,
        provider,
        setupTimeoutMs,
        dataFolder: options.dataFolder,
      });
    } catch (error) {
      await close().catch((closeError: unknown) =>
        log.error({ err: closeError }, 'teardown after a failed setup also failed'),
      );
      throw error;
    }
    loaded.push({ name: entry.definition.name, version: entry.definition.version });
    log.debug({ plugin: entry.definition.name, version: entry.definition.version }, 'plugin loaded');
  }

  return Object.freeze({ hooks, log, plugins: Object.freeze(loaded), provider, close });
}

interface SetupEnvironment {
  hooks: KernelHooks;
  log: Logger;
  teardowns: { plugin: string; run: Teardown }[];
  provider: Kernel['provider'];
  setupTimeoutMs: number;
  dataFolder: string | undefined;
}

async function setUpPlugin(entry: ResolvedPluginEntry, env: SetupEnvironment): Promise<void> {
  const { name } = entry.definition;
  const timeout = new AbortController();
  const pluginKernel: PluginKernel = {
    hooks: env.hooks,
    log: env.log.child({ plugin: name }),
    signal: timeout.signal,
    onClose: (teardown) => {
      env.teardowns.push({ plugin: name, run: teardown });
    },
    provider: env.provider,
    ...(env.dataFolder === undefined ? {} : { dataFolder: env.dataFolder }),
  };
  let timer: NodeJS.Timeout | undefined;
  const overrun = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      timeout.abort();
      reject(
        new PaasmakerError(
          'E_PLUGIN_SETUP_TIMEOUT',
          `${name}: setup did not finish within ${env.setupTimeoutMs} ms; make setup return sooner (start long work lazily or in a startup hook) or raise the kernel's setupTimeoutMs.`,
        ),
      );
    }, env.setupTimeoutMs);
  });
  try {
    await Promise.race([
      Promise.resolve().then(() => entry.definition.setup(pluginKernel, entry.options)),
      overrun,
    ]);
  } catch (error) {
    if (error instanceof PaasmakerError) throw error;
    throw new PaasmakerError(
      'E_PLUGIN_SETUP',
      `${name}: setup failed: ${(error as Error)?.message ?? String(error)}`,
      {
        cause: error,
      },
    );
  } finally {
    clearTimeout(timer);
  }
}
