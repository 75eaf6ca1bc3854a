import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { type CommandProvider, type JsonSchema, runCommand } from '@paasmaker/core';
import { npmBeside, withPathPrefix } from './node-binary';

/** Name the npm install prepare step is registered under. */
export const NPM_PREPARE = 'paasmaker.prepare.npm';

/** Parameters of the {@link NPM_PREPARE} step in a manifest. */
export const npmPrepareParametersSchema = {
  type: 'object',
  properties: {
    production: { type: 'boolean', default: true },
    timeout: { type: 'number', exclusiveMinimum: 0, default: 600 },
  },
  additionalProperties: false,
} as const satisfies JsonSchema;

/**
 * Installs the app's dependencies in the working copy: `npm ci` when a `package-lock.json` is
 * there, else `npm install`; `--omit=dev` when `production` (the default); never audits or asks
 * for funding. npm is the one beside `nodeBinary` (else npm from PATH), run with Node's folder
 * first on PATH so its `#!/usr/bin/env node` finds that same Node. Output goes to the call's log;
 * failure, the `timeout` (seconds) or an abort fail the step with `E_COMMAND_FAILED`.
 */
export function createNpmPrepare(options: { nodeBinary: string }): CommandProvider {
  return {
    parametersSchema: npmPrepareParametersSchema,
    async run(request, call) {
      const production = request.parameters.production !== false;
      const timeout = (request.parameters.timeout as number | undefined) ?? 600;
      const verb = existsSync(join(request.directory, 'package-lock.json')) ? 'ci' : 'install';
      const args = [verb, ...(production ? ['--omit=dev'] : []), '--no-audit', '--no-fund'];
      await runCommand(
        [npmBeside(options.nodeBinary), ...args],
        {
          cwd: request.directory,
          env: withPathPrefix(request.environment, [dirname(options.nodeBinary)]),
          log: call.log,
          signal: call.signal,
          timeoutMs: timeout * 1000,
        },
        `npm ${args.join(' ')}`,
      );
    },
  };
}
