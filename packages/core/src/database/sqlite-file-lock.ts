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

/**
 * One lock per SQLite file (by {@link sqliteFileKey}), shared by every model and SQL job store
 * of this process on it. better-sqlite3 waits for a locked file synchronously, blocking the
 * event loop: were two connections of one process to interleave transactions on a file, the
 * waiting one would stall the one holding the lock forever.
 */
export const sqliteFileLocks = new KeyedLock<string>();
