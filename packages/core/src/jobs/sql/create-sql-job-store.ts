import type { Knex } from 'knex';
import { type Logger, pino } from 'pino';
import { requireDriver } from '../../drivers/require-driver';
import { PaasmakerError } from '../../kernel/errors';
import { PostgresJobConnection } from './postgres-job-connection';
import type { SqlJobConnection } from './sql-job-connection';
import { postgresAddress } from './sql-job-errors';
import { SqlJobStore } from './sql-job-store';
import { SqliteJobConnection } from './sqlite-job-connection';

/** Where a SQL job store keeps its data: give one of `knex`, `connection` or `filename`. */
export interface SqlJobStoreOptions {
  /**
   * An existing knex instance (client `better-sqlite3` or `pg`) whose database the store
   * shares, e.g. with the pacemaker. The store never destroys it. Wins over the other two.
   */
  knex?: Knex;
  /** A PostgreSQL URL, `postgres://user:password@host:5432/database`. Wins over `filename`. */
  connection?: string;
  /**
   * A SQLite file, created if missing. Default `:memory:`: a database private to this one
   * store, gone when it closes, which no other store (in this process or another) can see —
   * fine for a single engine in a test, useless for several stores or durability.
   */
  filename?: string;
  /** PostgreSQL NOTIFY channel; stores that must see each other's events use the same. Default `pm_job_events`. */
  channel?: string;
  /** Logs listener errors and lost event connections. Default: silent. */
  logger?: Logger;
}

/**
 * Creates the SQL job store: SQLite (WAL, one file, events within this process) by default,
 * PostgreSQL (events across processes through LISTEN/NOTIFY) with `connection` or a `pg` knex.
 * Nothing connects until the first call; call `init()` to create or migrate the schema.
 */
export function createSqlJobStore(options: SqlJobStoreOptions = {}): SqlJobStore {
  const log = options.logger ?? pino({ enabled: false });
  return new SqlJobStore(openConnection(options, log.child({ component: 'sql-job-store' })));
}

function openConnection(options: SqlJobStoreOptions, log: Logger): SqlJobConnection {
  if (options.knex) {
    const client = options.knex.client as { driverName?: string; dialect?: string };
    if (client.driverName === 'better-sqlite3') return new SqliteJobConnection(options.knex, false, log);
    if (client.dialect === 'postgresql')
      return new PostgresJobConnection(options.knex, false, log, options.channel);
    throw new PaasmakerError(
      'E_JOBS_UNAVAILABLE',
      `the SQL job store cannot use a knex instance with client ${client.driverName ?? client.dialect}; ` +
        'use better-sqlite3 or pg.',
    );
  }
  const knexLog = {
    warn: (message: unknown) => log.debug({ knex: message }, 'knex warning'),
    error: (message: unknown) => log.debug({ knex: message }, 'knex error'),
    deprecate: (message: unknown) => log.debug({ knex: message }, 'knex deprecation'),
    debug: (message: unknown) => log.trace({ knex: message }, 'knex debug'),
  };
  if (options.connection !== undefined) {
    if (!/^postgres(ql)?:\/\//.test(options.connection)) {
      throw new PaasmakerError(
        'E_JOBS_UNAVAILABLE',
        `job store database at ${postgresAddress(options.connection)} is unreachable: not a postgres:// URL.`,
      );
    }
    const knex = requireDriver('knex', 'the PostgreSQL job store', ['pg']).knex({
      client: 'pg',
      connection: options.connection,
      pool: { min: 0, max: 10 },
      acquireConnectionTimeout: 10_000,
      log: knexLog,
    });
    return new PostgresJobConnection(knex, true, log, options.channel);
  }
  const knex = requireDriver('knex', 'the SQLite job store', ['better-sqlite3']).knex({
    client: 'better-sqlite3',
    connection: { filename: options.filename ?? ':memory:' },
    useNullAsDefault: true,
    log: knexLog,
  });
  return new SqliteJobConnection(knex, true, log);
}
