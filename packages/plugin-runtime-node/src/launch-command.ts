import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { PaasmakerError } from '@paasmaker/core';
import { withPathPrefix } from './node-binary';

/** How to launch one Node instance: argv plus its environment. */
export interface NodeLaunch {
  /** Program and arguments. */
  argv: string[];
  /** The instance's environment with PATH led by `node_modules/.bin` and Node's own folder. */
  env: Record<string, string>;
}

/**
 * Works out how to launch the app in `directory`: the `command` runtime parameter (argv) when
 * given; else `package.json`'s `scripts.start`, run by `/bin/sh -c` as npm would; else
 * `package.json`'s `main` run with `nodeBinary`. Fails with `E_INSTANCE_START` if none applies.
 */
export async function resolveNodeLaunch(options: {
  directory: string;
  command: readonly string[] | undefined;
  environment: Readonly<Record<string, string>>;
  nodeBinary: string;
}): Promise<NodeLaunch> {
  const env = withPathPrefix(options.environment, [
    join(options.directory, 'node_modules', '.bin'),
    dirname(options.nodeBinary),
  ]);
  if (options.command !== undefined && options.command.length > 0) return { argv: [...options.command], env };

  const manifest = await readPackageJson(options.directory);
  const start = manifest.scripts?.start;
  if (typeof start === 'string' && start.trim() !== '') return { argv: ['/bin/sh', '-c', start], env };
  if (typeof manifest.main === 'string' && manifest.main !== '') {
    return { argv: [options.nodeBinary, manifest.main], env };
  }
  throw new PaasmakerError(
    'E_INSTANCE_START',
    `paasmaker.runtime.node: ${join(options.directory, 'package.json')} has neither "scripts.start" nor "main"; ` +
      'add one, or give the runtime a `command` parameter (e.g. ["node", "server.js"]).',
  );
}

interface PackageJson {
  scripts?: { start?: unknown };
  main?: unknown;
}

async function readPackageJson(directory: string): Promise<PackageJson> {
  const file = join(directory, 'package.json');
  try {
    const parsed: unknown = JSON.parse(await readFile(file, 'utf8'));
    return typeof parsed === 'object' && parsed !== null ? (parsed as PackageJson) : {};
  } catch (error) {
    throw new PaasmakerError(
      'E_INSTANCE_START',
      `paasmaker.runtime.node: cannot read ${file} (${(error as Error).message}); ` +
        'add a package.json with "scripts.start" or "main", or give the runtime a `command` parameter.',
      { cause: error },
    );
  }
}
