import type { Knex } from 'knex';
import { ModelDatabase, ModelTable, type Row } from './model-database';

/** What every repository starts from: its model database and the table of its records. */
export abstract class ModelRepository<R> {
  protected readonly db: ModelDatabase;
  protected readonly rows: ModelTable<R>;

  /** @param source the knex instance (`better-sqlite3` or `pg`) of a migrated model, or its ModelDatabase */
  protected constructor(
    source: Knex | ModelDatabase,
    table: string,
    entity: string,
    toRecord: (row: Row) => R,
  ) {
    this.db = ModelDatabase.of(source);
    this.rows = new ModelTable(this.db, table, entity, toRecord);
  }

  /** The record `id`; `E_MODEL_NOT_FOUND` when there is none. */
  get(id: number): Promise<R> {
    return this.rows.get(id);
  }
}
