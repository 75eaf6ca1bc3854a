import { createWriteStream } from 'node:fs';
import { lstat, mkdir, readdir, readlink, rm } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { PaasmakerError } from '../kernel/errors';
import { Sha256Counter } from './file-checksum';
import { startTar } from './tar-process';

/** A package file written by {@link packFolder}. */
export interface PackedFolder {
  /** Hex SHA-256 of the archive file. */
  checksum: string;
  /** Size of the archive file in bytes. */
  bytes: number;
}

/** Folder names never packed: version control metadata is not part of an application. */
const SKIPPED_NAMES = new Set(['.git']);

/**
 * Packs `directory` into a gzipped tar archive at `file` (its folder is created). Entries are
 * listed in byte order so the same tree packs the same way; paths are relative and portable
 * (no owner, user or group names); dotfiles are included; `.git` folders and sockets, FIFOs or
 * devices (left by a prepare step, never application content) are not. Symbolic links
 * are stored as links, and one pointing outside `directory` is refused up front with
 * `E_PACKAGE_UNSAFE_ENTRY`, since every heart would refuse it later. A missing directory fails
 * with `E_PACKAGE_NOT_FOUND`.
 */
export async function packFolder(directory: string, file: string): Promise<PackedFolder> {
  const root = path.resolve(directory);
  const stats = await lstat(root).catch(() => undefined);
  if (!stats?.isDirectory()) {
    throw new PaasmakerError('E_PACKAGE_NOT_FOUND', `cannot pack "${directory}": it is not a folder.`);
  }
  const entries = await listEntries(root, '');
  await mkdir(path.dirname(path.resolve(file)), { recursive: true });

  const counter = new Sha256Counter();
  // GNU tar in a child process packs at its own speed and off this event loop; it is given the
  // checked, sorted list (NUL-separated, no recursion), so it packs exactly those entries.
  const tar = startTar([
    '--create',
    '--gzip',
    '--file=-',
    `--directory=${root}`,
    '--no-recursion',
    '--null',
    '--verbatim-files-from',
    '--files-from=-',
    '--format=pax',
    '--owner=0',
    '--group=0',
    '--numeric-owner',
    '--pax-option=delete=atime,delete=ctime',
  ]);
  // The root first (it carries the folder's mode, and keeps an empty folder a valid archive).
  tar.child.stdin.end(['.', ...entries.map((entry) => `./${entry}`)].map((name) => `${name}\0`).join(''));
  try {
    await pipeline(tar.child.stdout, counter, createWriteStream(file, { mode: 0o600 }));
    await tar.finished();
  } catch (error) {
    tar.kill();
    await rm(file, { force: true });
    throw new PaasmakerError(
      'E_PACKAGE_NOT_FOUND',
      `cannot pack "${directory}": ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
  return { checksum: counter.digest(), bytes: counter.bytes };
}

/** Every path under `root` (folders before their contents), relative, `/`-separated, sorted. */
async function listEntries(root: string, relative: string): Promise<string[]> {
  // Entry types from readdir itself: no lstat per entry.
  const dirents = (await readdir(path.join(root, relative), { withFileTypes: true })).sort((a, b) =>
    a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
  );
  const result: string[] = [];
  for (const dirent of dirents) {
    if (SKIPPED_NAMES.has(dirent.name)) continue;
    if (!dirent.isFile() && !dirent.isDirectory() && !dirent.isSymbolicLink()) continue;
    const entry = relative === '' ? dirent.name : `${relative}/${dirent.name}`;
    result.push(entry);
    if (dirent.isSymbolicLink()) {
      await assertLinkInside(root, entry);
    } else if (dirent.isDirectory()) {
      result.push(...(await listEntries(root, entry)));
    }
  }
  return result;
}

async function assertLinkInside(root: string, entry: string): Promise<void> {
  const target = await readlink(path.join(root, entry));
  const resolved = path.resolve(path.dirname(path.join(root, entry)), target);
  const inside = path.relative(root, resolved);
  if (path.isAbsolute(target) || inside === '..' || inside.startsWith(`..${path.sep}`)) {
    throw new PaasmakerError(
      'E_PACKAGE_UNSAFE_ENTRY',
      `cannot pack "${entry}": it is a symbolic link to "${target}", outside the folder being packed; hearts would refuse it.`,
    );
  }
}
