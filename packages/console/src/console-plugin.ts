import { existsSync } from 'node:fs';
import { definePlugin, KERNEL_API_VERSION } from '@paasmaker/core';
import { CONSOLE_ASSETS_FOLDER, loadConsoleAssets } from './console-assets';
import { mountConsole } from './mount-console';

/** The console plugin's name in a kernel. */
export const CONSOLE_PLUGIN_NAME = 'paasmaker.console';

/**
 * The web console: serves the built browser app at `/` of the pacemaker's HTTP server (through
 * the kernel's `pacemakerHttp` hook). The app logs in with the API's browser sessions and uses
 * only the API, so it can see and do exactly what its user's API key could. Leave the plugin out
 * for no console, or mount another one the same way.
 */
export const consolePlugin = definePlugin({
  name: CONSOLE_PLUGIN_NAME,
  version: '0.0.0',
  apiVersion: KERNEL_API_VERSION,
  unavailable: () =>
    existsSync(CONSOLE_ASSETS_FOLDER)
      ? undefined
      : `the console is not built (${CONSOLE_ASSETS_FOLDER} is missing): run npm run build in @paasmaker/console`,
  setup(kernel) {
    kernel.hooks.pacemakerHttp.tapPromise(CONSOLE_PLUGIN_NAME, async (http) => {
      mountConsole(http, await loadConsoleAssets());
    });
  },
});
