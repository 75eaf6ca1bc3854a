import { definePlugin, KERNEL_API_VERSION } from '../kernel/plugin-definition';
import { createShellCommandProvider } from './shell-command-provider';

/** Name of the plugin that provides the built-in shell prepare and startup steps. */
export const SHELL_COMMANDS_PLUGIN = 'paasmaker.commands.shell';

/**
 * Provides `paasmaker.prepare.shell` (run on the working copy before packing) and
 * `paasmaker.startup.shell` (run in the instance folder before an instance starts): the
 * manifest's shell commands, one after the other. See {@link createShellCommandProvider}.
 */
export const shellCommandsPlugin = definePlugin({
  name: SHELL_COMMANDS_PLUGIN,
  version: '1.0.0',
  apiVersion: KERNEL_API_VERSION,
  setup(kernel) {
    const provider = createShellCommandProvider();
    kernel.hooks.prepare.for('paasmaker.prepare.shell').tap(SHELL_COMMANDS_PLUGIN, () => provider);
    kernel.hooks.startup.for('paasmaker.startup.shell').tap(SHELL_COMMANDS_PLUGIN, () => provider);
  },
});
