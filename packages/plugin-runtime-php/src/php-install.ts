import { execFile } from 'node:child_process';
import { accessSync, constants, existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** Where Debian's Apache keeps its modules. */
export const DEBIAN_APACHE_MODULES = '/usr/lib/apache2/modules';

/** The mod_php in `modulesDirectory` (`libphp8.2.so`), or undefined when there is none. */
export function findPhpModule(modulesDirectory: string): string | undefined {
  if (!existsSync(modulesDirectory)) return undefined;
  const module = readdirSync(modulesDirectory).find((file) => /^libphp[\d.]*\.so$/.test(file));
  return module && path.join(modulesDirectory, module);
}

/** Where Apache and mod_php are looked for; see {@link missingPhpHost}. */
export interface PhpHostOptions {
  apacheBinary: string;
  modulesDirectory: string;
  phpModule?: string;
}

/**
 * What this machine lacks to run PHP apps (one line saying how to get it), or undefined when
 * Apache and a mod_php are there: the plugin's `unavailable` check.
 */
export function missingPhpHost(options: PhpHostOptions): string | undefined {
  const install = 'install apache2 and libapache2-mod-php';
  if (!isExecutable(options.apacheBinary))
    return `no Apache at ${options.apacheBinary}; ${install}, or set apacheBinary.`;
  if (options.phpModule !== undefined && !existsSync(options.phpModule))
    return `no mod_php at ${options.phpModule}; ${install}, or fix phpModule.`;
  if (options.phpModule === undefined && findPhpModule(options.modulesDirectory) === undefined)
    return `no mod_php (libphp*.so) in ${options.modulesDirectory}; ${install}, or set phpModule.`;
  return undefined;
}

/** An executable file at `command` (a path), or on `PATH` (a bare name). */
function isExecutable(command: string): boolean {
  const candidates = command.includes('/')
    ? [command]
    : (process.env.PATH ?? '').split(path.delimiter).map((folder) => path.join(folder, command));
  return candidates.some((file) => {
    try {
      accessSync(file, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/**
 * The versions to advertise for a mod_php: `['8', '8.2', '8.2.36']`, least specific first. The
 * full version comes from `php` when its major.minor is the module's; else only the first two.
 */
export async function phpVersions(phpModule: string, phpBinary: string): Promise<string[]> {
  const match = /libphp(\d+)(?:\.(\d+))?\.so$/.exec(phpModule);
  if (!match?.[1]) return [];
  const major = match[1];
  const minor = match[2] ?? (await fullVersion(phpBinary))?.split('.')[1];
  if (minor === undefined) return [major];
  const versions = [major, `${major}.${minor}`];
  const full = await fullVersion(phpBinary);
  if (full?.startsWith(`${major}.${minor}.`)) versions.push(full);
  return versions;
}

async function fullVersion(phpBinary: string): Promise<string | undefined> {
  try {
    const { stdout } = await execFileAsync(phpBinary, ['-r', 'echo PHP_VERSION;'], { timeout: 10_000 });
    return /^\d+\.\d+\.\d+/.exec(stdout.trim())?.[0];
  } catch {
    return undefined;
  }
}
