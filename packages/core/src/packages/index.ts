export { type ArchiveEntryHeader, checkArchiveEntries } from './archive-entry-check';
export { sha256File } from './file-checksum';
export { type PackedFolder, packFolder } from './pack-folder';
export { createPackageFetcher } from './package-fetcher';
export {
  PACKAGE_PIPELINE_PLUGIN_NAME,
  type PackagePipelineSettings,
  packagePipelinePlugin,
  TARBALL_PACKAGE_TYPE,
  tarballPacker,
  tarballUnpacker,
} from './package-pipeline-plugin';
export { createPackageStorer } from './package-storer';
export { openStoredPackage, STORED_PACKAGE_NAME, storedPackageName } from './stored-package';
export { DEFAULT_UNPACK_LIMITS, type UnpackOptions, unpackArchive } from './unpack-archive';
export { createUploadScm, UPLOAD_SCM_NAME, uploadScmPlugin } from './upload-scm-plugin';
