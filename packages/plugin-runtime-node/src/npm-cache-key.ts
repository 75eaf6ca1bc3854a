import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { join } from 'node:path';

/** Lock files `npm ci` installs from, in npm's order of preference. */
export const NPM_LOCK_FILES = ['npm-shrinkwrap.json', 'package-lock.json'] as const;

/** What decides the `node_modules` tree `npm ci` makes in a working copy. */
export interface NpmCacheKeyInputs {
  /** The working copy. */
  directory: string;
  /** The lock file there, one of {@link NPM_LOCK_FILES}. */
  lockFile: string;
  /** Version of the Node that runs npm and the dependencies' install scripts (native addons). */
  nodeVersion: string;
  /** npm's arguments, e.g. `['ci', '--omit=dev', '--no-audit', '--no-fund']`. */
  npmArguments: readonly string[];
  /** The step's environment: `NODE_ENV` and `npm_config_*` change what npm installs. */
  environment: Readonly<Record<string, string>>;
}

/** Largest `package.json` {@link readPackageScripts} reads. */
const MAX_PACKAGE_JSON_BYTES = 16 * 1024 * 1024;

/**
 * The dependency cache key for a working copy (64 hex digits): SHA-256 over the lock file's
 * bytes, the project's `.npmrc`, the Node version, npm's arguments and the npm settings in the
 * environment. Any change to one of them is a new key, so a stale tree is never restored.
 * Fails when the lock file or `.npmrc` is not a regular file.
 */
export async function npmCacheKey(inputs: NpmCacheKeyInputs): Promise<string> {
  const lock = await sha256OfFile(join(inputs.directory, inputs.lockFile));
  if (lock === undefined) throw new Error(`${inputs.lockFile} is gone`);
  const settings = Object.entries(inputs.environment)
    .filter(([name]) => name === 'NODE_ENV' || /^npm_config_/i.test(name))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const described = JSON.stringify({
    lockFile: inputs.lockFile,
    lock,
    npmrc: (await sha256OfFile(join(inputs.directory, '.npmrc'))) ?? null,
    node: inputs.nodeVersion,
    npm: inputs.npmArguments,
    settings,
  });
  return createHash('sha256').update(described).digest('hex');
}

/**
 * The `scripts` of the working copy's `package.json`. Fails when it is missing, not a regular
 * file, larger than 16 MiB or not JSON.
 */
export async function readPackageScripts(directory: string): Promise<Record<string, unknown>> {
  const handle = await openRegularFile(join(directory, 'package.json'));
  if (handle === undefined) throw new Error('package.json is gone');
  try {
    const { size } = await handle.stat();
    if (size > MAX_PACKAGE_JSON_BYTES)
      throw new Error(`package.json is larger than ${MAX_PACKAGE_JSON_BYTES} bytes`);
    const parsed = JSON.parse(await handle.readFile('utf8')) as { scripts?: unknown };
    const scripts = parsed?.scripts;
    return typeof scripts === 'object' && scripts !== null ? (scripts as Record<string, unknown>) : {};
  } finally {
    await handle.close();
  }
}

/** Hex SHA-256 of a regular file in the working copy; `undefined` when there is none. */
async function sha256OfFile(path: string): Promise<string | undefined> {
  const handle = await openRegularFile(path);
  if (handle === undefined) return undefined;
  const hash = createHash('sha256');
  // Streamed: the tenant chooses the file's size.
  for await (const chunk of handle.createReadStream()) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * Opens a file of the working copy for reading without following a symbolic link or blocking
 * on a FIFO: the tenant owns the working copy while prepare steps run, and this process may be
 * root. `undefined` when there is no such file.
 */
async function openRegularFile(path: string): Promise<FileHandle | undefined> {
  let handle: FileHandle;
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    if (code === 'ELOOP') throw new Error(`${path} is a symbolic link`, { cause: error });
    throw error;
  }
  if ((await handle.stat()).isFile()) return handle;
  await handle.close();
  throw new Error(`${path} is not a regular file`);
}
