import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { PaasmakerError } from '../kernel/errors';
import type { StorerProvider } from '../kernel/providers/package-pipeline-providers';
import { isSha256Hex, Sha256Counter } from './file-checksum';
import { STORED_PACKAGE_NAME, storedPackageName } from './stored-package';

/**
 * The default storer: copies a package into `directory` as `<sha256>.tar.gz` (the checksum is
 * verified on the way, and the file appears atomically) and answers `${publicUrl}/<name>`.
 * A package already stored under that name is not copied again; `remove` deletes that file.
 */
export function createPackageStorer(directory: string, publicUrl: string): StorerProvider {
  const base = publicUrl.replace(/\/+$/, '');
  return {
    async store(pkg, call) {
      if (!isSha256Hex(pkg.checksum)) {
        throw new PaasmakerError(
          'E_PACKAGE_CHECKSUM',
          `package checksum "${pkg.checksum}" is not a hex SHA-256.`,
        );
      }
      const name = storedPackageName(pkg.checksum);
      const url = `${base}/${name}`;
      const destination = path.join(directory, name);
      if (
        await stat(destination).then(
          (s) => s.isFile(),
          () => false,
        )
      )
        return { url };
      const source = await stat(pkg.file).catch(() => undefined);
      if (!source?.isFile()) {
        throw new PaasmakerError('E_PACKAGE_NOT_FOUND', `cannot store package "${pkg.file}": no such file.`);
      }
      await mkdir(directory, { recursive: true });
      const partial = `${destination}.partial-${randomBytes(6).toString('hex')}`;
      const counter = new Sha256Counter();
      try {
        await pipeline(createReadStream(pkg.file), counter, createWriteStream(partial, { mode: 0o600 }), {
          signal: call.signal,
        });
        if (counter.digest() !== pkg.checksum) {
          throw new PaasmakerError(
            'E_PACKAGE_CHECKSUM',
            `package "${pkg.file}" does not match its checksum ${pkg.checksum}; it changed after packing.`,
          );
        }
        await rename(partial, destination);
      } catch (error) {
        await rm(partial, { force: true });
        throw error;
      }
      call.log.info({ checksum: pkg.checksum, bytes: counter.bytes }, 'package stored');
      return { url };
    },
    async remove(url, call) {
      const name = url.startsWith(`${base}/`) ? url.slice(base.length + 1) : '';
      // Only a plain stored-package name of this storer: a URL never names another file.
      if (!STORED_PACKAGE_NAME.test(name)) {
        call.log.warn({ url }, 'not a package of this storer; left alone');
        return;
      }
      await rm(path.join(directory, name), { force: true });
      call.log.info({ url }, 'package removed');
    },
  };
}
