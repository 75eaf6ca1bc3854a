import type { JsonSchemaObject } from '../kernel/json-schema';
import { type CommandProvider, defineCommand } from '../kernel/providers/command-provider';
import { runShellCommand } from './run-shell-command';

/** Default timeout of each shell command, in seconds. */
export const DEFAULT_COMMAND_TIMEOUT_SECONDS = 600;

/** Parameters of `paasmaker.prepare.shell` / `paasmaker.startup.shell` in a manifest. */
export const shellCommandParametersSchema = {
  type: 'object',
  properties: {
    commands: { type: 'array', items: { type: 'string', minLength: 1 }, minItems: 1 },
    timeout: { type: 'number', exclusiveMinimum: 0, default: DEFAULT_COMMAND_TIMEOUT_SECONDS },
  },
  required: ['commands'],
  additionalProperties: false,
} as const satisfies JsonSchemaObject;

/**
 * The shell step (the original's ShellPrepare): runs each of the manifest's `commands` in order
 * with `/bin/sh -c` in the request's folder and environment, each in its own process group and
 * with its own `timeout` (seconds). Output goes line by line to the call's log. The first
 * failing command fails the step (`E_COMMAND_FAILED`) and the rest are not run.
 */
export function createShellCommandProvider(): CommandProvider {
  return defineCommand({
    parametersSchema: shellCommandParametersSchema,
    async run(request, call) {
      const timeout = request.parameters.timeout ?? DEFAULT_COMMAND_TIMEOUT_SECONDS;
      for (const command of request.parameters.commands) {
        await runShellCommand(command, {
          cwd: request.directory,
          env: request.environment,
          log: call.log,
          signal: call.signal,
          timeoutMs: timeout * 1000,
        });
      }
    },
  });
}
