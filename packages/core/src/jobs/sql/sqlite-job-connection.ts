import type { Knex } from 'knex';
import type { Logger } from 'pino';
import { migrateToLatest } from '../../database/migrate-to-latest';
import type { JobEvent, SubscribeOptions } from '../job-store';
import type { SqlJobConnection, SqlTransaction, SqlValue, SqlWork } from './sql-job-connection';
import { unreachable } from './sql-job-errors';
import type { JobEventListener } from './sql-job-events';
import { sqlJobMigrationConfig } from './sql-job-migrations';
import { type SqliteFileShare, shareSqliteFile } from './sqlite-file-registry';

/** The part of a better-sqlite3 statement the store uses (the package ships no types here). */
interface SqliteStatement {
  all(...params: SqlValue[]): unknown[];
  run(...params: SqlValue[]): { changes: number };
}

/** The part of a better-sqlite3 database the store uses. */
interface SqliteDatabase {
  prepare(sql: string): SqliteStatement;
  pragma(source: string): unknown;
  readonly inTransaction: boolean;
}

/** Prepared statements per connection; the store's SQL is a small fixed set plus IN lists. */
const statementCaches = new WeakMap<SqliteDatabase, Map<string, SqliteStatement>>();
const maxCachedStatements = 500;

function statement(db: SqliteDatabase, sql: string): SqliteStatement {
  let cache = statementCaches.get(db);
  if (!cache) {
    cache = new Map();
    statementCaches.set(db, cache);
    // First use of this connection: settings that hold per connection (WAL persists in the file).
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('busy_timeout = 5000');
    db.pragma('foreign_keys = ON');
    // A checkpoint (copying the WAL into the database file, with fsyncs) every 10,000 pages
    // rather than SQLite's 1,000: jobs keep changing the same few pages, which one checkpoint
    // copies once however often they changed. Measured on bench:jobs' cases: wide tree +25%,
    // chain +50%. The WAL file grows to about 40 MiB between checkpoints.
    db.pragma('wal_autocheckpoint = 10000');
  }
  let prepared = cache.get(sql);
  if (!prepared) {
    if (cache.size >= maxCachedStatements) cache.clear();
    prepared = db.prepare(sql);
    cache.set(sql, prepared);
  }
  return prepared;
}

/**
 * The job store on a SQLite file through better-sqlite3. Transactions bypass knex's query
 * builder: they take the connection from knex's pool, run `BEGIN IMMEDIATE` (so a transaction
 * that reads then writes never fails to upgrade its lock) and cached prepared statements, all
 * while holding the per-file lock of this process (see {@link SqliteFileShare.exclusive}). Other
 * processes on the file wait through SQLite's `busy_timeout`. Events stay in this process.
 */
export class SqliteJobConnection implements SqlJobConnection {
  readonly dialect = 'sqlite' as const;
  readonly address: string;
  private readonly share: SqliteFileShare;
  private readonly removers = new Set<() => void>();

  /**
   * @param knex a knex instance with the `better-sqlite3` client
   * @param ownsKnex whether {@link close} destroys it
   */
  constructor(
    readonly knex: Knex,
    private readonly ownsKnex: boolean,
    private readonly log: Logger,
  ) {
    const settings = (knex.client as { connectionSettings?: { filename?: string } }).connectionSettings;
    this.share = shareSqliteFile(settings?.filename ?? ':memory:');
    this.address = this.share.address;
  }

  migrate(): Promise<void> {
    return this.share.exclusive(async () => {
      // Apply the connection settings before knex's migrator uses the connection.
      await this.withConnection(async (db) => void statement(db, 'SELECT 1'));
      await migrateToLatest(this.knex, sqlJobMigrationConfig);
    });
  }

  transaction<T>(work: SqlWork<T>, options: { readOnly?: boolean } = {}): Promise<T> {
    return this.share.exclusive(async () => {
      const events: JobEvent[] = [];
      const result = await this.withConnection(async (db) => {
        const tx: SqlTransaction = {
          dialect: 'sqlite',
          all: async <R>(sql: string, params: readonly SqlValue[] = []) =>
            statement(db, sql).all(...params) as R[],
          run: async (sql, params = []) => statement(db, sql).run(...params).changes,
          insert: async (table, columns, rows) => {
            const insert = statement(
              db,
              `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`,
            );
            for (const row of rows) insert.run(...row);
          },
          publish: (event) => {
            events.push(event);
          },
        };
        statement(db, options.readOnly ? 'BEGIN' : 'BEGIN IMMEDIATE').run();
        try {
          const value = await work(tx);
          statement(db, 'COMMIT').run();
          return value;
        } catch (error) {
          if (db.inTransaction) statement(db, 'ROLLBACK').run();
          throw error;
        }
      });
      this.share.hub.emit(events);
      return result;
    });
  }

  async refreshStatistics(): Promise<void> {}

  async subscribe(listener: JobEventListener, options?: SubscribeOptions): Promise<() => Promise<void>> {
    const remove = this.share.hub.add(listener, this.log, options);
    this.removers.add(remove);
    return async () => {
      this.removers.delete(remove);
      remove();
    };
  }

  async close(): Promise<void> {
    for (const remove of this.removers) remove();
    this.removers.clear();
    this.share.release();
    if (this.ownsKnex) await this.knex.destroy();
  }

  private async withConnection<T>(use: (db: SqliteDatabase) => Promise<T>): Promise<T> {
    let db: SqliteDatabase;
    try {
      db = (await this.knex.client.acquireConnection()) as SqliteDatabase;
    } catch (error) {
      // better-sqlite3 reports a file it cannot open with a bare TypeError.
      throw unreachable(error, this.address);
    }
    try {
      return await use(db);
    } finally {
      await this.knex.client.releaseConnection(db);
    }
  }
}
