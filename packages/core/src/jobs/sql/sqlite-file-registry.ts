import path from 'node:path';
import { AsyncMutex } from './async-mutex';
import { JobEventHub } from './sql-job-events';

/** What every store of this process using one SQLite file shares. */
export interface SqliteFileShare {
  /** `sqlite:<absolute path>`, or `sqlite::memory:`. */
  readonly address: string;
  /**
   * Serializes this process's transactions on the file. better-sqlite3 waits for a busy
   * database synchronously, blocking the event loop: were two connections of one process to
   * interleave transactions, the waiting one would stall the one holding the lock.
   */
  readonly lock: AsyncMutex;
  /** Carries events between the stores of this process on the file (SQLite has no NOTIFY). */
  readonly hub: JobEventHub;
  /** Gives the share back; the last release forgets it. */
  release(): void;
}

interface Entry {
  lock: AsyncMutex;
  hub: JobEventHub;
  users: number;
}

const files = new Map<string, Entry>();

/** True for filenames SQLite opens as a private, temporary database (one per connection). */
export function isPrivateSqliteFilename(filename: string): boolean {
  return filename === '' || filename === ':memory:' || filename.includes('mode=memory');
}

/**
 * The share of the SQLite file `filename` (relative paths resolve against the working
 * directory). Every store of the process on the same file gets the same lock and event hub;
 * an in-memory database is private to its connection, so it gets a share of its own.
 */
export function shareSqliteFile(filename: string): SqliteFileShare {
  if (isPrivateSqliteFilename(filename)) {
    return { address: 'sqlite::memory:', lock: new AsyncMutex(), hub: new JobEventHub(), release: () => {} };
  }
  const key = filename.startsWith('file:') ? filename : path.resolve(filename);
  let entry = files.get(key);
  if (!entry) {
    entry = { lock: new AsyncMutex(), hub: new JobEventHub(), users: 0 };
    files.set(key, entry);
  }
  entry.users += 1;
  const shared = entry;
  let released = false;
  return {
    address: `sqlite:${key}`,
    lock: shared.lock,
    hub: shared.hub,
    release() {
      if (released) return;
      released = true;
      shared.users -= 1;
      if (shared.users === 0 && files.get(key) === shared) files.delete(key);
    },
  };
}
