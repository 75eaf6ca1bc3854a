import type { Logger } from 'pino';
import type { KernelHooks, ProviderKind, ProviderOf } from './kernel-hooks';

/** What a plugin's `setup` receives: the kernel, seen from that plugin. */
export interface PluginKernel {
  /** Every hook of the kernel; tap them to provide behaviour. */
  readonly hooks: KernelHooks;
  /** A child logger whose records carry `{ plugin: <name> }`. */
  readonly log: Logger;
  /**
   * The data folder of the node the kernel runs in (absolute), when it runs in one. Plugins keep
   * what they need to persist in a folder of their own under it when not told otherwise (the git
   * plugin's mirrors in `<dataFolder>/git-cache`). Undefined for a kernel composed in code
   * without one.
   */
  readonly dataFolder?: string;
  /** Aborted if `setup` overruns the kernel's setup timeout; stop any work you started. */
  readonly signal: AbortSignal;
  /**
   * Registers work to do when the kernel closes (stop servers, close connections). Teardowns
   * run in reverse plugin load order; within a plugin, in reverse registration order.
   */
  onClose(teardown: () => void | Promise<void>): void;
  /** The provider registered under `name`; fails with `E_PROVIDER_UNKNOWN` if there is none. */
  provider<K extends ProviderKind>(kind: K, name: string): ProviderOf<K>;
}
