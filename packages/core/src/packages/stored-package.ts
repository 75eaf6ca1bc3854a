import { createReadStream, type ReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { PaasmakerError } from '../kernel/errors';

/** File names the default storer gives packages: `<hex sha256>.tar.gz`. */
export const STORED_PACKAGE_NAME = /^[0-9a-f]{64}\.tar\.gz$/;

/** The file name under which the default storer keeps a package with this checksum. */
export function storedPackageName(checksum: string): string {
  return `${checksum}.tar.gz`;
}

/**
 * Opens a stored package for the pacemaker's package route. `name` comes from a URL, so it must
 * be a plain stored-package file name (`<hex sha256>.tar.gz`); anything else, like a missing
 * file, fails with `E_PACKAGE_NOT_FOUND` (the same error, so a probe learns nothing).
 */
export async function openStoredPackage(
  directory: string,
  name: string,
): Promise<{ stream: ReadStream; bytes: number }> {
  const notFound = () => new PaasmakerError('E_PACKAGE_NOT_FOUND', `no stored package named "${name}".`);
  if (!STORED_PACKAGE_NAME.test(name)) throw notFound();
  const file = path.join(directory, name);
  const stats = await stat(file).catch(() => undefined);
  if (!stats?.isFile()) throw notFound();
  return { stream: createReadStream(file), bytes: stats.size };
}
