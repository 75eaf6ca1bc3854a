import {
  chmod,
  lstat,
  mkdir,
  mkdtemp,
  readdir,
  readlink,
  realpath,
  rename,
  rm,
  rmdir,
} from 'node:fs/promises';
import path from 'node:path';
import { extract, list, type ReadEntry } from 'tar';
import { isPaasmakerError, PaasmakerError } from '../kernel/errors';
import { type ArchiveEntryHeader, checkArchiveEntries } from './archive-entry-check';

/** Options of {@link unpackArchive}. */
export interface UnpackOptions {
  /** Checked between steps; an aborted unpack leaves nothing behind. */
  signal?: AbortSignal;
  /** Most bytes the entries may unpack to, by their headers; default {@link DEFAULT_UNPACK_LIMITS}. */
  maxBytes?: number;
  /** Most entries the archive may hold; default {@link DEFAULT_UNPACK_LIMITS}. */
  maxEntries?: number;
}

/** What an archive may unpack to unless told otherwise: enough for any app, not for a zip bomb. */
export const DEFAULT_UNPACK_LIMITS = { maxBytes: 4 * 1024 ** 3, maxEntries: 250_000 } as const;

/**
 * Unpacks a gzipped (or plain) tar archive into `targetDirectory`, which must not exist yet or
 * be an empty folder. Every entry is checked before anything is written (see
 * `checkArchiveEntries`); the archive is extracted into a fresh folder beside the target, the
 * result is checked again on disk (links resolved, hard-link counts compared), and only then
 * renamed into place. On any refusal (`E_PACKAGE_UNSAFE_ENTRY`, naming the entry) nothing is
 * left behind. A missing archive fails with `E_PACKAGE_NOT_FOUND`. Permission bits are kept
 * (the executable bit included), set-user/group-id and sticky bits are dropped, owners are not
 * restored.
 */
export async function unpackArchive(
  file: string,
  targetDirectory: string,
  options: UnpackOptions = {},
): Promise<void> {
  const archive = path.resolve(file);
  const target = path.resolve(targetDirectory);
  const stats = await lstat(archive).catch(() => undefined);
  if (!stats?.isFile()) {
    throw new PaasmakerError('E_PACKAGE_NOT_FOUND', `cannot unpack "${file}": no such archive file.`);
  }
  await assertTargetEmpty(target);
  options.signal?.throwIfAborted();

  const headers = await readHeaders(archive);
  checkUnpackedSize(headers, options);
  checkArchiveEntries(headers);
  options.signal?.throwIfAborted();

  await mkdir(path.dirname(target), { recursive: true });
  const staging = await mkdtemp(path.join(path.dirname(target), `.${path.basename(target)}.unpack-`));
  try {
    await extractChecked(archive, staging);
    await assertTreeInside(staging);
    options.signal?.throwIfAborted();
    await assertTargetEmpty(target);
    await rmdir(target).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error;
    });
    // mkdtemp made it 0700; the target gets the mode of a folder made with mkdir, so servers that
    // drop privileges (Apache's workers) can read the app as they could any folder the heart makes.
    await chmod(staging, 0o755);
    await rename(staging, target);
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw error;
  }
}

/** Refuses, before anything is written, an archive whose headers add up to more than the limits. */
function checkUnpackedSize(headers: readonly ArchiveEntryHeader[], options: UnpackOptions): void {
  const maxEntries = options.maxEntries ?? DEFAULT_UNPACK_LIMITS.maxEntries;
  const maxBytes = options.maxBytes ?? DEFAULT_UNPACK_LIMITS.maxBytes;
  if (headers.length > maxEntries)
    throw new PaasmakerError(
      'E_PACKAGE_UNSAFE_ENTRY',
      `refusing to unpack an archive of ${headers.length} entries: the limit is ${maxEntries}.`,
    );
  const bytes = headers.reduce((total, header) => total + (header.size ?? 0), 0);
  if (bytes > maxBytes)
    throw new PaasmakerError(
      'E_PACKAGE_UNSAFE_ENTRY',
      `refusing to unpack an archive of ${bytes} bytes: the limit is ${maxBytes}.`,
    );
}

async function assertTargetEmpty(target: string): Promise<void> {
  const existing = await readdir(target).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [];
    throw error;
  });
  if (existing.length > 0) {
    throw new PaasmakerError(
      'E_PACKAGE_UNSAFE_ENTRY',
      `refusing to unpack into "${target}": the folder is not empty, and a package never overwrites files.`,
    );
  }
}

/** Every entry header of the archive, read without writing anything. */
async function readHeaders(archive: string): Promise<ArchiveEntryHeader[]> {
  const headers: ArchiveEntryHeader[] = [];
  try {
    await list({
      file: archive,
      strict: true,
      onReadEntry: (entry: ReadEntry) => {
        headers.push({ path: entry.path, type: entry.type, linkpath: entry.linkpath, size: entry.size });
      },
    });
  } catch (error) {
    throw new PaasmakerError(
      'E_PACKAGE_UNSAFE_ENTRY',
      `cannot read archive "${archive}": ${describe(error)}.`,
      {
        cause: error,
      },
    );
  }
  return headers;
}

/**
 * Extracts into the (empty, fresh) staging folder. The filter checks each entry once more, so
 * that an archive changed between reading and extracting is still refused.
 */
async function extractChecked(archive: string, staging: string): Promise<void> {
  const seen: ArchiveEntryHeader[] = [];
  let refusal: unknown;
  try {
    await extract({
      file: archive,
      cwd: staging,
      strict: true,
      preservePaths: false,
      preserveOwner: false,
      filter: (_path, entry) => {
        if (refusal !== undefined || !('type' in entry)) return false;
        const readEntry = entry as ReadEntry;
        seen.push({ path: readEntry.path, type: readEntry.type, linkpath: readEntry.linkpath });
        try {
          checkArchiveEntries(seen);
        } catch (error) {
          refusal = error;
          return false;
        }
        if (typeof readEntry.mode === 'number') readEntry.mode &= 0o777;
        return true;
      },
    });
  } catch (error) {
    throw new PaasmakerError(
      'E_PACKAGE_UNSAFE_ENTRY',
      `cannot unpack archive "${archive}": ${describe(error)}.`,
      {
        cause: error,
      },
    );
  }
  if (refusal !== undefined) throw refusal;
}

/**
 * Walks the extracted tree: only files, folders and links; every link resolves inside; no file
 * has more hard links than the tree itself holds (which would mean one outside).
 */
async function assertTreeInside(root: string): Promise<void> {
  const realRoot = await realpath(root);
  const linkCounts = new Map<number, { seen: number; nlink: number; entry: string }>();
  const walk = async (relative: string): Promise<void> => {
    for (const name of await readdir(path.join(root, relative))) {
      const entry = relative === '' ? name : `${relative}/${name}`;
      const absolute = path.join(root, entry);
      const stats = await lstat(absolute);
      if (stats.isDirectory()) {
        await walk(entry);
      } else if (stats.isSymbolicLink()) {
        const resolved = await realpath(absolute).catch(async () =>
          path.resolve(path.dirname(absolute), await readlink(absolute)),
        );
        if (!isInside(realRoot, resolved) && !isInside(root, resolved))
          throw refuse(entry, 'symbolic link points outside');
      } else if (stats.isFile()) {
        const count = linkCounts.get(stats.ino) ?? { seen: 0, nlink: stats.nlink, entry };
        count.seen += 1;
        linkCounts.set(stats.ino, count);
      } else {
        throw refuse(entry, 'not a file, folder or link');
      }
    }
  };
  await walk('');
  for (const { seen, nlink, entry } of linkCounts.values()) {
    if (nlink > seen) throw refuse(entry, 'hard-linked to a file outside the package');
  }
}

const refuse = (entry: string, why: string): PaasmakerError =>
  new PaasmakerError('E_PACKAGE_UNSAFE_ENTRY', `archive entry "${entry}" refused after extraction: ${why}.`);

function isInside(root: string, candidate: string): boolean {
  const relative = path.relative(root, candidate);
  return (
    relative === '' ||
    (!relative.startsWith(`..${path.sep}`) && relative !== '..' && !path.isAbsolute(relative))
  );
}

function describe(error: unknown): string {
  if (isPaasmakerError(error)) return error.message;
  return error instanceof Error ? error.message : String(error);
}
