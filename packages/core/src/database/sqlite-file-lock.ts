import path from 'node:path';
import { KeyedLock } from '../kernel/keyed-lock';

/** True for filenames SQLite opens as a private, temporary database (one per connection). */
export function isPrivateSqliteFilename(filename: string): boolean {
  return filename === '' || filename === ':memory:' || filename.includes('mode=memory');
}

/**
 * What names the SQLite file `filename` in this process: a `file:` URI as it is, a path
 * resolved against the working directory; undefined for a private in-memory database.
 */
export function sqliteFileKey(filename: string): string | undefined {
  if (isPrivateSqliteFilename(filename)) return undefined;
  return filename.startsWith('file:') ? filename : path.resolve(filename);
}

const shared = globalThis as { [key: symbol]: KeyedLock<string> | undefined };
const registered = Symbol.for('paasmaker.sqliteFileLocks');
shared[registered] ??= new KeyedLock<string>();

/**
 * One lock per SQLite file (by {@link sqliteFileKey}), shared by every model and SQL job store
 * of this process on it, even across copies of this module (core's ESM and CommonJS builds
 * loaded side by side). better-sqlite3 waits for a locked file synchronously, blocking the
 * event loop: were two connections of one process to interleave transactions on a file, the
 * waiting one would stall the one holding the lock forever.
 */
export const sqliteFileLocks: KeyedLock<string> = shared[registered];
