import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  type CommandProvider,
  type CommandRunRequest,
  defineCommand,
  type InferFromSchema,
  type JsonSchemaObject,
  type ProviderCall,
  runCommand,
} from '@paasmaker/core';
import { nodeVersionOf, npmBeside, withPathPrefix } from './node-binary';
import { NPM_LOCK_FILES, npmCacheKey, readPackageScripts } from './npm-cache-key';
import { NpmDependencyCache, type TenantCommand } from './npm-dependency-cache';

/** Name the npm install prepare step is registered under. */
export const NPM_PREPARE = 'paasmaker.prepare.npm';

/** Parameters of the {@link NPM_PREPARE} step in a manifest. */
export const npmPrepareParametersSchema = {
  type: 'object',
  properties: {
    production: { type: 'boolean', default: true },
    timeout: { type: 'number', exclusiveMinimum: 0, default: 600 },
    cache: { type: 'boolean', default: true },
  },
  additionalProperties: false,
} as const satisfies JsonSchemaObject;

/** A step's parameters as the manifest wrote them (the defaults above are not filled in). */
type NpmPrepareRequest = CommandRunRequest<InferFromSchema<typeof npmPrepareParametersSchema, false>>;

/** How many dependency trees each application keeps when the plugin is not told. */
const DEFAULT_CACHE_ENTRIES = 3;

/** The root package's scripts `npm ci` runs, in its order; a cache hit runs them the same way. */
const ROOT_INSTALL_SCRIPTS = [
  'preinstall',
  'install',
  'postinstall',
  'prepublish',
  'preprepare',
  'prepare',
  'postprepare',
];

/**
 * Installs the app's dependencies in the working copy: `npm ci` when a lock file
 * (`npm-shrinkwrap.json`, `package-lock.json`) is there, else `npm install`; `--omit=dev` when
 * `production` (the default); never audits or asks for funding. npm is the one beside
 * `nodeBinary` (else npm from PATH), run with Node's folder first on PATH so its
 * `#!/usr/bin/env node` finds that same Node. Output goes to the call's log; failure, the
 * `timeout` (seconds) or an abort fail the step with `E_COMMAND_FAILED`.
 *
 * With a lock file, `node_modules` is cached in the tenant's `HOME` under a key of the lock file,
 * the Node version and npm's arguments (see {@link npmCacheKey}); a version whose key is cached
 * gets a copy of that tree and the root package's install scripts instead of `npm ci`. The
 * `cacheEntries` most recently used keys are kept per application (default 3; 0: no cache).
 */
export function createNpmPrepare(options: { nodeBinary: string; cacheEntries?: number }): CommandProvider {
  const keep = options.cacheEntries ?? DEFAULT_CACHE_ENTRIES;
  return defineCommand({
    parametersSchema: npmPrepareParametersSchema,
    async run(request, call) {
      const production = request.parameters.production !== false;
      const timeout = request.parameters.timeout ?? 600;
      const lockFile = NPM_LOCK_FILES.find((name) => existsSync(join(request.directory, name)));
      const args = [
        lockFile ? 'ci' : 'install',
        ...(production ? ['--omit=dev'] : []),
        '--no-audit',
        '--no-fund',
      ];
      const npm = npmBeside(options.nodeBinary);
      const commandOptions = {
        cwd: request.directory,
        env: withPathPrefix(request.environment, [dirname(options.nodeBinary)]),
        log: call.log,
        signal: call.signal,
        timeoutMs: timeout * 1000,
      };
      const run: TenantCommand = (argv) => runCommand(argv, commandOptions);
      const install = () => runCommand([npm, ...args], commandOptions, `npm ${args.join(' ')}`);

      const place = cachePlace(request, lockFile, keep);
      if (typeof place === 'string') {
        await install();
        call.log.info(`Installed dependencies; not cached: ${place}`);
        return;
      }
      const key = await cacheKey(request, place.lockFile, options.nodeBinary, args, call);
      const scripts = key === undefined ? undefined : await rootInstallScripts(request.directory, call);
      if (key === undefined || scripts === undefined) return install();

      const cache = new NpmDependencyCache({
        folder: place.folder,
        keep,
        run,
        log: call.log,
        signal: call.signal,
      });
      if (await cache.restore(key, request.directory)) {
        call.log.info(`Dependencies restored from cache (key ${key})`);
        for (const name of scripts) {
          // --ignore-scripts: `name` alone, as npm ci runs it, not its pre/post scripts again.
          await runCommand(
            [npm, 'run-script', '--ignore-scripts', name],
            commandOptions,
            `npm run-script ${name}`,
          );
        }
      } else {
        call.log.info(`No cached dependencies for key ${key}`);
        await install();
        if (await cache.store(key, request.directory))
          call.log.info(`Installed dependencies; cached as ${key}`);
      }
      await cache.prune(key);
    },
  });
}

/**
 * The lock file and the cache folder (`$HOME/.paasmaker/npm-modules`) of a step that caches its
 * dependencies, or why it does not.
 */
function cachePlace(
  request: NpmPrepareRequest,
  lockFile: string | undefined,
  keep: number,
): { lockFile: string; folder: string } | string {
  const home = request.environment.HOME;
  if (lockFile === undefined) return 'no package-lock.json or npm-shrinkwrap.json';
  if (keep === 0) return 'the cache is off (npmCacheEntries: 0)';
  if (request.parameters.cache === false) return 'the step says cache: false';
  if (!home) return 'no HOME in the environment';
  return { lockFile, folder: join(home, '.paasmaker', 'npm-modules') };
}

/** The cache key of the working copy; `undefined` (logged) when it cannot be had. */
async function cacheKey(
  request: NpmPrepareRequest,
  lockFile: string,
  nodeBinary: string,
  npmArguments: readonly string[],
  call: ProviderCall,
): Promise<string | undefined> {
  try {
    const nodeVersion = await nodeVersionOf(nodeBinary);
    return await npmCacheKey({
      directory: request.directory,
      lockFile,
      nodeVersion,
      npmArguments,
      environment: request.environment,
    });
  } catch (error) {
    call.log.warn({ err: error }, `Dependencies are not cached: ${(error as Error).message}`);
    return undefined;
  }
}

/** The root install scripts package.json declares; `undefined` (logged) when it cannot be read. */
async function rootInstallScripts(directory: string, call: ProviderCall): Promise<string[] | undefined> {
  try {
    const scripts = await readPackageScripts(directory);
    return ROOT_INSTALL_SCRIPTS.filter((name) => typeof scripts[name] === 'string');
  } catch (error) {
    call.log.warn({ err: error }, `Dependency cache not used: ${(error as Error).message}`);
    return undefined;
  }
}
