export { type RunCommandOptions, runCommand, runShellCommand } from './run-shell-command';
export {
  createShellCommandProvider,
  DEFAULT_COMMAND_TIMEOUT_SECONDS,
  shellCommandParametersSchema,
} from './shell-command-provider';
export { SHELL_COMMANDS_PLUGIN, shellCommandsPlugin } from './shell-commands-plugin';
