import { execFile } from 'node:child_process';
import { createReadStream } from 'node:fs';
import {
  chmod,
  lstat,
  mkdir,
  mkdtemp,
  open,
  readdir,
  readlink,
  realpath,
  rename,
  rm,
  rmdir,
} from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import { isPaasmakerError, PaasmakerError } from '../kernel/errors';
import { type ArchiveEntryHeader, checkArchiveEntries } from './archive-entry-check';
import { Sha256Counter } from './file-checksum';
import { listTarHeaders } from './tar-listing';
import { startTar } from './tar-process';

const run = promisify(execFile);

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
 * `checkArchiveEntries`); the archive is extracted by GNU tar in a child process into a fresh
 * folder beside the target (refused if the archive changed since its headers were read), the
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

  const gzip = await isGzip(archive);
  const { headers, checksum } = await listTarHeaders(archive, gzip).catch((error: unknown) => {
    throw new PaasmakerError(
      'E_PACKAGE_UNSAFE_ENTRY',
      `cannot read archive "${archive}": ${describe(error)}.`,
      {
        cause: error,
      },
    );
  });
  checkUnpackedSize(headers, options);
  checkArchiveEntries(headers);
  options.signal?.throwIfAborted();

  await mkdir(path.dirname(target), { recursive: true });
  const staging = await mkdtemp(path.join(path.dirname(target), `.${path.basename(target)}.unpack-`));
  try {
    await extractChecked(archive, staging, { gzip, checksum });
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

/**
 * Extracts into the (empty, fresh) staging folder with the system's GNU tar in a child process:
 * at tar's own speed and off this process's event loop. tar reads the archive through a hash
 * here; when those bytes are not the ones whose headers were checked (the archive changed in
 * between), the extraction is refused and the staging folder goes. Owners are not restored;
 * modes are, and {@link assertTreeInside} drops set-id and sticky bits.
 */
async function extractChecked(
  archive: string,
  staging: string,
  { gzip, checksum }: { gzip: boolean; checksum: string },
): Promise<void> {
  const counter = new Sha256Counter();
  const tar = startTar([
    '--extract',
    ...(gzip ? ['--gzip'] : []),
    '--file=-',
    `--directory=${staging}`,
    '--no-same-owner',
    '--preserve-permissions',
  ]);
  try {
    tar.child.stdout.resume();
    await pipeline(createReadStream(archive), counter, tar.child.stdin);
    await tar.finished();
  } catch (error) {
    tar.kill();
    throw new PaasmakerError(
      'E_PACKAGE_UNSAFE_ENTRY',
      `cannot unpack archive "${archive}": ${describe(error)}.`,
      {
        cause: error,
      },
    );
  }
  if (counter.digest() !== checksum)
    throw new PaasmakerError(
      'E_PACKAGE_UNSAFE_ENTRY',
      `archive "${archive}" refused: it changed while it was being unpacked.`,
    );
}

/** True when the file starts with gzip's magic bytes. */
async function isGzip(file: string): Promise<boolean> {
  const handle = await open(file, 'r');
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(2), 0, 2, 0);
    return bytesRead === 2 && buffer[0] === 0x1f && buffer[1] === 0x8b;
  } finally {
    await handle.close();
  }
}

/** Set-user-id, set-group-id and sticky: never kept from a package. */
const SPECIAL_BITS = 0o7000;

/**
 * Checks the extracted tree, listed by `find` in one child process: only files, folders and
 * links; every link resolves inside; no file has more hard links than the tree itself holds
 * (which would mean one outside); set-id and sticky bits dropped.
 */
async function assertTreeInside(root: string): Promise<void> {
  const realRoot = await realpath(root);
  const linkCounts = new Map<string, { seen: number; nlink: number; entry: string }>();
  for (const { type, nlink, mode, inode, entry } of await listTree(root)) {
    const absolute = path.join(root, entry);
    if (type !== 'l' && (mode & SPECIAL_BITS) !== 0) await chmod(absolute, mode & 0o777);
    if (type === 'l') {
      const resolved = await realpath(absolute).catch(async () =>
        path.resolve(path.dirname(absolute), await readlink(absolute)),
      );
      if (!isInside(realRoot, resolved) && !isInside(root, resolved))
        throw refuse(entry, 'symbolic link points outside');
    } else if (type === 'f') {
      const count = linkCounts.get(inode) ?? { seen: 0, nlink, entry };
      count.seen += 1;
      linkCounts.set(inode, count);
    } else if (type !== 'd') {
      throw refuse(entry, 'not a file, folder or link');
    }
  }
  for (const { seen, nlink, entry } of linkCounts.values()) {
    if (nlink > seen) throw refuse(entry, 'hard-linked to a file outside the package');
  }
}

/** Every entry below `root`: `find`'s type letter, link count, mode, inode and relative path. */
async function listTree(
  root: string,
): Promise<{ type: string; nlink: number; mode: number; inode: string; entry: string }[]> {
  const { stdout } = await run('find', [root, '-mindepth', '1', '-printf', '%y %n %m %i %P\\0'], {
    maxBuffer: 1024 ** 3,
    encoding: 'buffer',
  });
  const entries: { type: string; nlink: number; mode: number; inode: string; entry: string }[] = [];
  for (const record of stdout.toString('utf8').split('\0')) {
    if (record === '') continue;
    const [type = '', nlink = '', mode = '', inode = ''] = record.split(' ', 4);
    const entry = record.slice(type.length + nlink.length + mode.length + inode.length + 4);
    entries.push({ type, nlink: Number(nlink), mode: Number.parseInt(mode, 8), inode, entry });
  }
  return entries;
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
