import type { Knex } from 'knex';
import { sqliteFileKey, sqliteFileLocks } from '../database/sqlite-file-lock';
import { notFound, toModelError } from './model-errors';

/** A JSON object as the model stores it in a text column. */
export type { JsonObject } from '../kernel/json-schema';

/** A row as the driver returns it. */
export type Row = Record<string, unknown>;

/** Something to run queries on: the knex instance, or a transaction of it. */
export type Queryable = Knex | Knex.Transaction;

/** JSON text of a value, for a text column. */
export function toJson(value: unknown): string {
  return JSON.stringify(value ?? null);
}

/** JSON text of a value for a changed column, or undefined (column left as is) when the value is. */
export function toJsonIfDefined(value: unknown): string | undefined {
  return value === undefined ? undefined : toJson(value);
}

/** A boolean for a 0/1 column, or undefined (column left as is) when the value is. */
export function toFlagIfDefined(value: boolean | undefined): number | undefined {
  return value === undefined ? undefined : value ? 1 : 0;
}

/** The value of a JSON text column. */
export function fromJson<T>(text: unknown): T {
  return JSON.parse(String(text)) as T;
}

/** A time column (milliseconds; `pg` returns bigints as strings) as a Date. */
/** The `created_at` / `updated_at` columns every model table has, as record fields. */
export function rowTimestamps(row: Row): { createdAt: Date; updatedAt: Date } {
  return { createdAt: toDate(row.created_at), updatedAt: toDate(row.updated_at) };
}

export function toDate(value: unknown): Date {
  return new Date(Number(value));
}

/** A nullable time column as a Date or null. */
export function toDateOrNull(value: unknown): Date | null {
  return value === null || value === undefined ? null : toDate(value);
}

/** A Date (or null) for a time column. */
export function fromDate(value: Date | null | undefined): number | null {
  return value ? value.getTime() : null;
}

/** True when `id` can be a row id (anything else is not found, without asking the database). */
export function isId(id: unknown): id is number {
  return typeof id === 'number' && Number.isSafeInteger(id) && id > 0 && id <= 2_147_483_647;
}

/** The knex instance of a model, with error mapping around every statement. */
export class ModelDatabase {
  /** `sqlite` (better-sqlite3) or `postgres` (pg). */
  readonly dialect: 'sqlite' | 'postgres';

  /**
   * The SQLite file (its {@link sqliteFileLocks} key) shared with the other models and job stores
   * of this process; undefined for PostgreSQL and in-memory databases.
   */
  private readonly sqliteFile: string | undefined;

  constructor(readonly knex: Knex) {
    const client = knex.client as { dialect?: string; connectionSettings?: { filename?: string } };
    this.dialect = client.dialect === 'postgresql' ? 'postgres' : 'sqlite';
    const filename = client.connectionSettings?.filename;
    this.sqliteFile = this.dialect === 'sqlite' ? sqliteFileKey(filename ?? '') : undefined;
  }

  /** `source` itself if it is a ModelDatabase, else a ModelDatabase over the knex instance `source`. */
  static of(source: Knex | ModelDatabase): ModelDatabase {
    return source instanceof ModelDatabase ? source : new ModelDatabase(source);
  }

  /** Runs `work`, turning any driver error into a PaasmakerError about `action`. */
  async run<T>(action: string, work: (q: Queryable) => Promise<T>): Promise<T> {
    try {
      const file = this.sqliteFile;
      // Reentrant: statements inside a transaction of this model run while it holds the file.
      return await (file
        ? sqliteFileLocks.run(file, () => work(this.knex), { reentrant: true })
        : work(this.knex));
    } catch (error) {
      throw toModelError(error, action);
    }
  }

  /** Runs `work` in one transaction (committed if it resolves), mapping errors like {@link run}. */
  transaction<T>(action: string, work: (trx: Knex.Transaction) => Promise<T>): Promise<T> {
    return this.run(action, () => this.knex.transaction(work));
  }

  /**
   * Locks the row `id` of `table` until the transaction ends (PostgreSQL `FOR UPDATE`); SQLite
   * needs no lock since its writers are serialised. False when the row does not exist.
   */
  async lockRow(trx: Knex.Transaction, table: string, id: number): Promise<boolean> {
    const query = trx(table).select('id').where({ id });
    const rows = this.dialect === 'postgres' ? await query.forUpdate() : await query;
    return rows.length > 0;
  }
}

/** Create/get/list/update/delete of one table, rows turned into records by `toRecord`. */
export class ModelTable<R> {
  constructor(
    private readonly db: ModelDatabase,
    readonly table: string,
    /** What a row is, for messages: `workspace`, `instance type`. */
    readonly entity: string,
    private readonly toRecord: (row: Row) => R,
  ) {}

  /** Inserts a row (timestamps added) and returns its record. */
  insert(values: Row, q?: Queryable): Promise<R> {
    return this.db.run(`create ${this.entity}`, async (knex) => {
      const now = Date.now();
      const [row] = await (q ?? knex)(this.table)
        .insert({ ...values, created_at: now, updated_at: now })
        .returning('*');
      return this.toRecord(row as Row);
    });
  }

  /** The record with `id`, or undefined. */
  async find(id: number, q?: Queryable): Promise<R | undefined> {
    if (!isId(id)) return undefined;
    return this.db.run(`read ${this.entity}`, async (knex) => {
      const row = await (q ?? knex)(this.table).where({ id }).first();
      return row ? this.toRecord(row as Row) : undefined;
    });
  }

  /** The record with `id`; `E_MODEL_NOT_FOUND` when there is none. */
  async get(id: number, q?: Queryable): Promise<R> {
    const record = await this.find(id, q);
    if (record === undefined) throw notFound(this.entity, id);
    return record;
  }

  /** The first record matching `where`, or undefined. */
  findBy(where: Row, q?: Queryable): Promise<R | undefined> {
    return this.db.run(`read ${this.entity}`, async (knex) => {
      const row = await (q ?? knex)(this.table).where(where).orderBy('id').first();
      return row ? this.toRecord(row as Row) : undefined;
    });
  }

  /** Records matching `where` (undefined values ignored), in id order. */
  list(where: Row = {}, q?: Queryable): Promise<R[]> {
    const filter = Object.fromEntries(Object.entries(where).filter(([, value]) => value !== undefined));
    return this.db.run(`list ${this.entity}s`, async (knex) => {
      const rows = await (q ?? knex)(this.table).where(filter).orderBy('id');
      return (rows as Row[]).map(this.toRecord);
    });
  }

  /** Updates the row `id` with `values` (undefined ones left as they are); returns the new record. */
  async update(id: number, values: Row, q?: Queryable): Promise<R> {
    if (!isId(id)) throw notFound(this.entity, id);
    const changes = Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined));
    const [row] = await this.db.run(`update ${this.entity} ${id}`, (knex) =>
      (q ?? knex)(this.table)
        .where({ id })
        .update({ ...changes, updated_at: Date.now() })
        .returning('*'),
    );
    if (!row) throw notFound(this.entity, id);
    return this.toRecord(row as Row);
  }

  /** Deletes the row `id` (and, through foreign keys, what cascades from it). */
  async delete(id: number, q?: Queryable): Promise<void> {
    if (!isId(id)) throw notFound(this.entity, id);
    const deleted = await this.db.run(`delete ${this.entity} ${id}`, (knex) =>
      (q ?? knex)(this.table).where({ id }).delete(),
    );
    if (deleted === 0) throw notFound(this.entity, id);
  }
}
