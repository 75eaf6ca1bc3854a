import type { Knex } from 'knex';
import type { Logger } from 'pino';
import { migrateToLatest } from '../../database/migrate-to-latest';
import type { JobEvent, SubscribeOptions } from '../job-store';
import { PostgresJobListener } from './postgres-job-listener';
import type { SqlJobConnection, SqlTransaction, SqlValue, SqlWork } from './sql-job-connection';
import { postgresAddress } from './sql-job-errors';
import { JobEventHub, type JobEventListener, packJobEvents } from './sql-job-events';
import { sqlJobMigrationConfig, sqlJobTables } from './sql-job-migrations';

/** The NOTIFY channel of the job store unless told otherwise. */
export const defaultJobEventChannel = 'pm_job_events';

/** `pg` binds an array holding nulls as well; knex's types only list arrays of one type. */
const bindings = (params: readonly SqlValue[]): readonly Knex.RawBinding[] =>
  params as readonly Knex.RawBinding[];

/**
 * The job store on PostgreSQL through knex and `pg`. Transactions are knex transactions (READ
 * COMMITTED; writers lock the tree row first). Events are NOTIFYed on `channel` inside the
 * transaction, so PostgreSQL delivers them when, and only if, it commits, in commit order, to
 * every listening process, this one included (through its LISTEN connection, never directly).
 */
export class PostgresJobConnection implements SqlJobConnection {
  readonly dialect = 'postgres' as const;
  readonly address: string;
  private readonly hub = new JobEventHub();
  private readonly listener: PostgresJobListener;
  private readonly removers = new Set<() => void>();

  /**
   * @param knex a knex instance with the `pg` client
   * @param ownsKnex whether {@link close} destroys it
   * @param channel NOTIFY channel: stores sharing a database share it (a plain identifier)
   */
  constructor(
    readonly knex: Knex,
    private readonly ownsKnex: boolean,
    private readonly log: Logger,
    private readonly channel = defaultJobEventChannel,
  ) {
    if (!/^[a-z_][a-z0-9_]*$/.test(channel))
      throw new TypeError(`job event channel ${channel} is not a plain identifier`);
    this.address = postgresAddress((knex.client as { config?: { connection?: unknown } }).config?.connection);
    this.listener = new PostgresJobListener(
      knex,
      channel,
      (events) => this.hub.emit(events),
      log,
      () => this.hub.resubscribed(),
    );
  }

  migrate(): Promise<void> {
    return migrateToLatest(this.knex, sqlJobMigrationConfig);
  }

  async transaction<T>(work: SqlWork<T>, options: { readOnly?: boolean } = {}): Promise<T> {
    const config: Knex.TransactionConfig | undefined = options.readOnly
      ? { readOnly: true, isolationLevel: 'repeatable read' }
      : undefined;
    return this.knex.transaction(async (trx) => {
      const events: JobEvent[] = [];
      const tx: SqlTransaction = {
        dialect: 'postgres',
        all: async <R>(sql: string, params: readonly SqlValue[] = []) =>
          (await trx.raw(sql, bindings(params))).rows as R[],
        run: async (sql, params = []) => (await trx.raw(sql, bindings(params))).rowCount as number,
        insert: async (table, columns, rows) => {
          if (rows.length === 0) return;
          // One parameter however many rows: PostgreSQL types each field by the table's column.
          const list = columns.join(', ');
          const records = rows.map((row) =>
            Object.fromEntries(columns.map((column, at) => [column, row[at]])),
          );
          await trx.raw(
            `INSERT INTO ${table} (${list}) SELECT ${list} FROM json_populate_recordset(NULL::${table}, ?::json)`,
            [JSON.stringify(records)],
          );
        },
        publish: (event) => {
          events.push(event);
        },
      };
      const value = await work(tx);
      await this.notify(trx, events);
      return value;
    }, config);
  }

  async refreshStatistics(): Promise<void> {
    try {
      await this.knex.raw(`ANALYZE ${sqlJobTables.jobs}`);
    } catch (error) {
      // The jobs are stored; only the planner's estimates stay behind until autovacuum's next visit.
      this.log.warn({ err: error }, 'could not refresh the job table statistics');
    }
  }

  async subscribe(listener: JobEventListener, options: SubscribeOptions = {}): Promise<() => Promise<void>> {
    const remove = this.hub.add(listener, this.log, options);
    try {
      await this.listener.start();
    } catch (error) {
      remove();
      throw error;
    }
    this.removers.add(remove);
    return async () => {
      if (!this.removers.delete(remove)) return;
      remove();
      if (this.hub.size === 0) await this.listener.stop();
    };
  }

  async close(): Promise<void> {
    for (const remove of this.removers) remove();
    this.removers.clear();
    await this.listener.stop();
    if (this.ownsKnex) await this.knex.destroy();
  }

  /** NOTIFYs the events, packed into payloads under PostgreSQL's 8000-byte limit. */
  private async notify(trx: Knex.Transaction, events: readonly JobEvent[]): Promise<void> {
    if (events.length === 0) return;
    const payloads = packJobEvents(events);
    if (payloads.length === 1) {
      await trx.raw('SELECT pg_notify(?, ?)', [this.channel, payloads[0] as string]);
    } else {
      // One round trip; a function scan calls pg_notify in array order.
      await trx.raw('SELECT pg_notify(?, payload) FROM json_array_elements_text(?::json) AS payload', [
        this.channel,
        JSON.stringify(payloads),
      ]);
    }
  }
}
