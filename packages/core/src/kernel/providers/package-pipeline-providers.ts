import type { ProviderCall } from './provider-call';

/** A package file made from a prepared working copy. */
export interface PackedPackage {
  /** Package type, which picks the unpacker on hearts (`tarball`...). */
  packageType: string;
  /** Absolute path of the package file. */
  file: string;
  /** Hex SHA-256 of the file, checked after every fetch. */
  checksum: string;
}

/** Turns a prepared working copy into a package file. Registered on `hooks.packer`. */
export interface PackerProvider {
  pack(request: { directory: string; destinationPrefix: string }, call: ProviderCall): Promise<PackedPackage>;
}

/** Keeps a package where hearts can fetch it. Registered on `hooks.storer`. */
export interface StorerProvider {
  /** Resolve with the URL hearts fetch from; its scheme picks the fetcher. */
  store(pkg: PackedPackage, call: ProviderCall): Promise<{ url: string }>;
  /**
   * Removes the package stored under `url` (one this storer answered), when no version uses it
   * any more (an application was deleted). Resolves when it is gone or was never there. Without
   * it, packages are kept.
   */
  remove?(url: string, call: ProviderCall): Promise<void>;
}

/** Fetches a stored package to a heart. Registered on `hooks.fetcher`, keyed by URL scheme. */
export interface FetcherProvider {
  fetch(request: { url: string; checksum: string; destination: string }, call: ProviderCall): Promise<void>;
}

/** Unpacks a package into an instance folder. Registered on `hooks.unpacker`, keyed by type. */
export interface UnpackerProvider {
  /** Must refuse entries that would land outside `targetDirectory`. */
  unpack(request: { file: string; targetDirectory: string }, call: ProviderCall): Promise<void>;
}
