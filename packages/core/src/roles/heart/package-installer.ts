import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { PaasmakerError } from '../../kernel/errors';
import type { KernelHooks } from '../../kernel/kernel-hooks';
import type { ProviderCall } from '../../kernel/providers/provider-call';
import type { InstanceRegistration } from './heart-types';

/**
 * Brings an instance's package to this node and unpacks it into `targetDirectory`: the fetcher
 * is picked by the URL's scheme, the unpacker by the package type. The fetched file is removed
 * afterwards, whatever happens.
 */
export async function installPackage(
  hooks: KernelHooks,
  pkg: InstanceRegistration['package'],
  download: string,
  targetDirectory: string,
  call: ProviderCall,
): Promise<void> {
  const scheme = urlScheme(pkg.url);
  const fetcher = hooks.fetcher.find(scheme);
  if (!fetcher) {
    throw new PaasmakerError(
      'E_PROVIDER_UNKNOWN',
      `no fetcher for "${scheme}" URLs: the heart does not know how to fetch ${pkg.url}; load a plugin providing fetcher "${scheme}".`,
    );
  }
  const unpacker = hooks.unpacker.find(pkg.packageType);
  if (!unpacker) {
    throw new PaasmakerError(
      'E_PROVIDER_UNKNOWN',
      `no unpacker for package type "${pkg.packageType}"; load a plugin providing unpacker "${pkg.packageType}".`,
    );
  }
  await mkdir(path.dirname(download), { recursive: true });
  try {
    call.log.info({ url: pkg.url }, 'Fetching package.');
    await fetcher.fetch({ url: pkg.url, checksum: pkg.checksum, destination: download }, call);
    await mkdir(targetDirectory, { recursive: true });
    call.log.info({ packageType: pkg.packageType }, 'Unpacking package.');
    await unpacker.unpack({ file: download, targetDirectory }, call);
  } finally {
    await rm(download, { force: true });
  }
}

function urlScheme(url: string): string {
  try {
    return new URL(url).protocol.replace(/:$/, '');
  } catch (error) {
    throw new PaasmakerError('E_PACKAGE_FETCH', `the package URL ${JSON.stringify(url)} is not a URL.`, {
      cause: error,
    });
  }
}
