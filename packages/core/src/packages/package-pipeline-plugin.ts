import path from 'node:path';
import { PaasmakerError } from '../kernel/errors';
import { definePlugin, KERNEL_API_VERSION } from '../kernel/plugin-definition';
import type { AnyPlugin } from '../kernel/plugin-entry';
import type { PackerProvider, UnpackerProvider } from '../kernel/providers/package-pipeline-providers';
import { packFolder } from './pack-folder';
import { createPackageFetcher } from './package-fetcher';
import { createPackageStorer } from './package-storer';
import { unpackArchive } from './unpack-archive';

/** Name of the plugin that provides the default package pipeline. */
export const PACKAGE_PIPELINE_PLUGIN_NAME = 'paasmaker.packages.default';

/** The package type the default packer produces and the `tarball` unpacker reads. */
export const TARBALL_PACKAGE_TYPE = 'tarball';

/** Settings of {@link packagePipelinePlugin}. */
export interface PackagePipelineSettings {
  /** Folder the storer keeps packages in (the pacemaker serves it). */
  directory: string;
  /** URL prefix hearts fetch stored packages from, e.g. `http://pacemaker:42500/packages`. */
  publicUrl: string;
  /** The cluster's node token, sent by the fetcher as a bearer token. */
  nodeToken: string;
}

/** The default packer: a gzipped tar of the working copy at `${destinationPrefix}.tar.gz`. */
export const tarballPacker: PackerProvider = {
  async pack(request, call) {
    const file = `${request.destinationPrefix}.tar.gz`;
    const { checksum, bytes } = await packFolder(request.directory, file);
    call.log.info({ file, checksum, bytes }, 'working copy packed');
    return { packageType: TARBALL_PACKAGE_TYPE, file: path.resolve(file), checksum };
  },
};

/** The `tarball` unpacker: {@link unpackArchive}, refusing entries that would escape the target. */
export const tarballUnpacker: UnpackerProvider = {
  async unpack(request, call) {
    await unpackArchive(request.file, request.targetDirectory, { signal: call.signal });
    call.log.info({ targetDirectory: request.targetDirectory }, 'package unpacked');
  },
};

/**
 * `paasmaker.packages.default`: the default package pipeline. Registers packer `default`,
 * storer `default` (local files in `directory`, URLs under `publicUrl`), fetchers `http` and
 * `https` (bearer `nodeToken`, checksum verified) and unpacker `tarball`.
 */
export function packagePipelinePlugin(settings: PackagePipelineSettings): AnyPlugin {
  if (!settings.directory || !settings.publicUrl || !settings.nodeToken) {
    throw new PaasmakerError(
      'E_PLUGIN_OPTIONS',
      `${PACKAGE_PIPELINE_PLUGIN_NAME}: directory, publicUrl and nodeToken are all required.`,
    );
  }
  const storer = createPackageStorer(settings.directory, settings.publicUrl);
  const fetcher = createPackageFetcher(settings.nodeToken);
  return definePlugin({
    name: PACKAGE_PIPELINE_PLUGIN_NAME,
    version: '1.0.0',
    apiVersion: KERNEL_API_VERSION,
    setup(kernel) {
      const name = PACKAGE_PIPELINE_PLUGIN_NAME;
      kernel.hooks.packer.for('default').tap(name, () => tarballPacker);
      kernel.hooks.storer.for('default').tap(name, () => storer);
      kernel.hooks.fetcher.for('http').tap(name, () => fetcher);
      kernel.hooks.fetcher.for('https').tap(name, () => fetcher);
      kernel.hooks.unpacker.for(TARBALL_PACKAGE_TYPE).tap(name, () => tarballUnpacker);
    },
  });
}
