import type { Knex } from 'knex';
import type { JobEvent, SubscribeOptions } from '../job-store';
import type { JobEventListener } from './sql-job-events';

/**
 * A value bound to a `?` placeholder: both drivers bind scalars the same way; an array is a
 * PostgreSQL array parameter (`?::text[]`), which SQLite cannot bind.
 */
export type SqlValue = string | number | null | readonly (string | number | null)[];

/** The SQL flavours the job store speaks. */
export type SqlDialect = 'sqlite' | 'postgres';

/**
 * One transaction of the job store. SQL uses `?` placeholders in both dialects; statements
 * run one after the other (never concurrently) inside the transaction.
 */
export interface SqlTransaction {
  readonly dialect: SqlDialect;
  /** Runs a statement returning rows (SELECT, or a write with RETURNING). */
  all<R>(sql: string, params?: readonly SqlValue[]): Promise<R[]>;
  /** Runs a write; resolves with the number of rows it changed. */
  run(sql: string, params?: readonly SqlValue[]): Promise<number>;
  /** Inserts rows of `columns` (batched as the dialect prefers). */
  insert(table: string, columns: readonly string[], rows: readonly (readonly SqlValue[])[]): Promise<void>;
  /** Queues an event, published to every subscriber once (and only if) the transaction commits. */
  publish(event: JobEvent): void;
}

/** What a write does under its transaction: a result, and events queued with `publish`. */
export type SqlWork<T> = (tx: SqlTransaction) => Promise<T>;

/**
 * The job store's database, one per dialect: runs transactions that cannot interleave with
 * conflicting ones, and carries events between every store on the same database.
 */
export interface SqlJobConnection {
  readonly dialect: SqlDialect;
  /** Where the database is, without password: `sqlite:/data/jobs.db`, `postgres://u@host:5432/db`. */
  readonly address: string;
  /** The knex instance underneath (migrations run through it). */
  readonly knex: Knex;
  /** Brings the schema to the latest migration. */
  migrate(): Promise<void>;
  /**
   * Runs `work` in one transaction: committed if it resolves, rolled back if it rejects.
   * `readOnly` transactions only read (SQLite does not take the write lock for them).
   */
  transaction<T>(work: SqlWork<T>, options?: { readOnly?: boolean }): Promise<T>;
  /**
   * Receives the events of every store on this database until the returned function is called;
   * `options.onResubscribed` after a lost event connection listens again (PostgreSQL).
   */
  subscribe(listener: JobEventListener, options?: SubscribeOptions): Promise<() => Promise<void>>;
  /**
   * Brings the query planner's statistics of the jobs table up to date after a bulk insert, so
   * that its next statements look jobs up by primary key instead of scanning an index the
   * planner still believes small (PostgreSQL; SQLite plans without them). Logs, never throws.
   */
  refreshStatistics(): Promise<void>;
  /** Stops listening and closes the knex instance if this connection created it. */
  close(): Promise<void>;
}
