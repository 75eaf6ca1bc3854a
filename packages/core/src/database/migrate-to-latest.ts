import { createHash } from 'node:crypto';
import type { Knex } from 'knex';

const retryDelayMs = 100;
const retryAttempts = 150;

/**
 * Brings a database to the latest of `config`'s migrations, safely while other processes do the
 * same to the same database.
 *
 * On PostgreSQL the whole run is one transaction holding an advisory lock named after the
 * migrations table, so migrators take turns. Without it, two first runs could both find knex's
 * lock table empty and each insert a lock row, after which knex reports its lock as taken for
 * ever. On SQLite, where a process's migrators already take turns, a run that meets another
 * process's migration is retried for up to 15 s.
 */
export async function migrateToLatest(knex: Knex, config: Knex.MigratorConfig): Promise<void> {
  if ((knex.client as { dialect?: string }).dialect === 'postgresql') {
    await knex.transaction(async (trx) => {
      await trx.raw('SELECT pg_advisory_xact_lock(?::bigint)', [advisoryKey(config)]);
      await removeExtraLockRows(trx, config);
      await trx.migrate.latest(config);
    });
    return;
  }
  for (let attempt = 1; ; attempt += 1) {
    try {
      await knex.migrate.latest(config);
      return;
    } catch (error) {
      if (!isMigrationRace(error) || attempt >= retryAttempts) throw error;
      await new Promise((resolve) => setTimeout(resolve, retryDelayMs));
    }
  }
}

/** A 64-bit lock key from the migrations table name, as a decimal string. */
function advisoryKey(config: Knex.MigratorConfig): string {
  const digest = createHash('sha256')
    .update(`paasmaker:migrate:${config.tableName ?? 'knex_migrations'}`)
    .digest();
  return digest.readBigInt64BE(0).toString();
}

/**
 * Heals a database left with several knex lock rows by migrators that raced before this lock
 * existed: knex's lock works on exactly one row.
 */
async function removeExtraLockRows(trx: Knex.Transaction, config: Knex.MigratorConfig): Promise<void> {
  const lockTable = `${config.tableName ?? 'knex_migrations'}_lock`;
  if (!(await trx.schema.hasTable(lockTable))) return;
  const rows: { index: number }[] = await trx(lockTable).select('index').orderBy('index');
  if (rows.length <= 1) return;
  await trx(lockTable)
    .whereNot('index', rows[0]?.index ?? 0)
    .delete();
}

/** Another process migrating at the same moment: knex's lock taken, or its tables created first. */
function isMigrationRace(error: unknown): boolean {
  return (
    (error as Error | undefined)?.name === 'MigrationLocked' ||
    /already exists|duplicate key|SQLITE_BUSY|database is locked/i.test(String(error))
  );
}
