import { PaasmakerError } from '../kernel/errors';

/** What the unpacker needs to know about one archive entry to judge it. */
export interface ArchiveEntryHeader {
  /** The entry's path as stored in the archive (after any pax/long-name header). */
  path: string;
  /** node-tar's entry type name: `File`, `Directory`, `SymbolicLink`, `Link`, `FIFO`... */
  type: string;
  /** Link target of a `SymbolicLink` (relative to the entry's folder) or `Link` (to the archive root). */
  linkpath?: string | undefined;
  /** Bytes of content the header declares (0 for folders and links). */
  size?: number | undefined;
}

/** Entry types an application package may hold; anything else (devices, FIFOs...) is refused. */
const ALLOWED_TYPES = new Set(['File', 'OldFile', 'ContiguousFile', 'Directory', 'SymbolicLink', 'Link']);
const FILE_TYPES = new Set(['File', 'OldFile', 'ContiguousFile']);
/** Symbolic links followed while resolving one link target before giving up (a loop). */
const MAX_LINK_HOPS = 40;

const unsafe = (entry: ArchiveEntryHeader, why: string): PaasmakerError =>
  new PaasmakerError('E_PACKAGE_UNSAFE_ENTRY', `archive entry "${entry.path}" refused: ${why}.`);

/**
 * The segments of an archive member path, relative to the extraction folder. Refuses absolute
 * paths and any `..` segment: node-tar would silently drop such an entry, and a package that
 * needs one is not one we want to run.
 */
export function memberSegments(entry: ArchiveEntryHeader, path: string, what: string): string[] {
  if (path.includes('\0')) throw unsafe(entry, `${what} contains a NUL character`);
  if (path.startsWith('/') || /^[A-Za-z]:/.test(path)) throw unsafe(entry, `${what} "${path}" is absolute`);
  const segments = path.split('/').filter((segment) => segment !== '' && segment !== '.');
  if (segments.includes('..')) throw unsafe(entry, `${what} "${path}" contains a ".." segment`);
  return segments;
}

/**
 * Checks every entry of an archive before anything is extracted, and throws
 * `E_PACKAGE_UNSAFE_ENTRY` naming the first entry that could write outside the extraction
 * folder: absolute paths, `..` segments, entries written through a symbolic link, symbolic
 * links whose target resolves outside (following the archive's other links), hard links to
 * anything but an earlier file of the archive, and device, FIFO or unknown entry types.
 */
export function checkArchiveEntries(entries: readonly ArchiveEntryHeader[]): void {
  const symlinks = new Map<string, { entry: ArchiveEntryHeader; target: string }>();
  const paths = new Map<string, string>();
  for (const entry of entries) {
    if (!ALLOWED_TYPES.has(entry.type)) {
      throw unsafe(entry, `entry type ${entry.type} is not allowed (only files, folders and links)`);
    }
    const key = memberSegments(entry, entry.path, 'path').join('/');
    if (key === '' && entry.type !== 'Directory') throw unsafe(entry, 'the archive root must be a folder');
    const previous = paths.get(key);
    if (previous !== undefined && (previous === 'SymbolicLink' || entry.type === 'SymbolicLink')) {
      throw unsafe(entry, 'the path appears twice and one of them is a symbolic link');
    }
    paths.set(key, entry.type);
    if (entry.type === 'SymbolicLink') {
      const target = entry.linkpath ?? '';
      if (target === '') throw unsafe(entry, 'symbolic link without a target');
      symlinks.set(key, { entry, target });
    }
  }

  const seenFiles = new Set<string>();
  for (const entry of entries) {
    const segments = memberSegments(entry, entry.path, 'path');
    assertNoLinkAncestor(entry, segments, symlinks, 'is written through symbolic link');
    if (entry.type === 'SymbolicLink') {
      resolveInside(entry, segments.slice(0, -1), entry.linkpath ?? '', symlinks, 0);
    } else if (entry.type === 'Link') {
      const target = memberSegments(entry, entry.linkpath ?? '', 'hard link target');
      const targetKey = target.join('/');
      assertNoLinkAncestor(entry, target, symlinks, 'hard link target goes through symbolic link');
      if (!seenFiles.has(targetKey)) {
        throw unsafe(entry, `hard link target "${entry.linkpath}" is not a file earlier in the archive`);
      }
    }
    if (FILE_TYPES.has(entry.type) || entry.type === 'Link') seenFiles.add(segments.join('/'));
  }
}

/** Refuses a path one of whose parent folders is a symbolic link of the archive. */
function assertNoLinkAncestor(
  entry: ArchiveEntryHeader,
  segments: readonly string[],
  symlinks: ReadonlyMap<string, unknown>,
  why: string,
): void {
  for (let length = 1; length < segments.length; length += 1) {
    const ancestor = segments.slice(0, length).join('/');
    if (symlinks.has(ancestor)) throw unsafe(entry, `${why} "${ancestor}"`);
  }
}

/**
 * Resolves a symbolic link target the way the kernel would once every link is on disk, and
 * throws unless it stays inside the extraction folder. `base` is the link's folder.
 */
function resolveInside(
  entry: ArchiveEntryHeader,
  base: readonly string[],
  target: string,
  symlinks: ReadonlyMap<string, { target: string }>,
  hops: number,
): string[] {
  if (hops > MAX_LINK_HOPS) throw unsafe(entry, 'symbolic links form a loop');
  if (target.startsWith('/')) throw unsafe(entry, `symbolic link target "${target}" is absolute`);
  const resolved = [...base];
  for (const segment of target.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') {
      if (resolved.length === 0) {
        throw unsafe(entry, `symbolic link target "${entry.linkpath}" points outside the package`);
      }
      resolved.pop();
      continue;
    }
    resolved.push(segment);
    const link = symlinks.get(resolved.join('/'));
    if (link) {
      const replaced = resolveInside(entry, resolved.slice(0, -1), link.target, symlinks, hops + 1);
      resolved.splice(0, resolved.length, ...replaced);
    }
  }
  return resolved;
}
