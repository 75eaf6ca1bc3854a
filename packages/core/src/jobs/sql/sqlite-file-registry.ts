import { sqliteFileKey, sqliteFileLocks } from '../../database/sqlite-file-lock';
import { KeyedLock } from '../../kernel/keyed-lock';
import { JobEventHub } from './sql-job-events';

/** What every store of this process using one SQLite file shares. */
export interface SqliteFileShare {
  /** `sqlite:<absolute path>`, or `sqlite::memory:`. */
  readonly address: string;
  /**
   * Runs `work` holding this process's lock of the file, the one the model on the file holds
   * too (see {@link sqliteFileLocks}).
   */
  exclusive<T>(work: () => Promise<T>): Promise<T>;
  /** Carries events between the stores of this process on the file (SQLite has no NOTIFY). */
  readonly hub: JobEventHub;
  /** Gives the share back; the last release forgets it. */
  release(): void;
}

interface Entry {
  hub: JobEventHub;
  users: number;
}

const files = new Map<string, Entry>();

/**
 * The share of the SQLite file `filename` (relative paths resolve against the working
 * directory). Every store of the process on the same file gets the same lock and event hub;
 * an in-memory database is private to its connection, so it gets a share of its own.
 */
export function shareSqliteFile(filename: string): SqliteFileShare {
  const key = sqliteFileKey(filename);
  if (key === undefined) {
    const own = new KeyedLock();
    return {
      address: 'sqlite::memory:',
      exclusive: (work) => own.run('', work),
      hub: new JobEventHub(),
      release: () => {},
    };
  }
  let entry = files.get(key);
  if (!entry) {
    entry = { hub: new JobEventHub(), users: 0 };
    files.set(key, entry);
  }
  entry.users += 1;
  const shared = entry;
  let released = false;
  return {
    address: `sqlite:${key}`,
    exclusive: (work) => sqliteFileLocks.run(key, work),
    hub: shared.hub,
    release() {
      if (released) return;
      released = true;
      shared.users -= 1;
      if (shared.users === 0 && files.get(key) === shared) files.delete(key);
    },
  };
}
