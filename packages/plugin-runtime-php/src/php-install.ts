import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
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
