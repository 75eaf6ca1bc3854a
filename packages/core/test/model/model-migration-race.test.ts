import knexFactory from 'knex';
import { afterEach, describe, expect, it } from 'vitest';
import { createModel, type Model, migrateModel, rollbackModel } from '../../src/model';
import { createPostgresTestDatabase, type PostgresTestDatabase } from '../postgres-database';

describe('migrating one new PostgreSQL database from several processes at once', () => {
  const databases: PostgresTestDatabase[] = [];
  afterEach(async () => {
    await Promise.all(databases.splice(0).map((database) => database.drop()));
  });

  it('lets every first start succeed, with one knex lock row left', async () => {
    for (let round = 0; round < 4; round += 1) {
      const database = await createPostgresTestDatabase('pm_race');
      databases.push(database);
      const models = await Promise.all(
        Array.from({ length: 6 }, () => createModel({ connection: database.connection })),
      );
      const lockRows = await models[0]?.knex('pm_model_migrations_lock').count({ n: '*' });
      expect(Number(lockRows?.[0]?.n)).toBe(1);
      await Promise.all(models.map((model: Model) => model.close()));
    }
  }, 60_000);

  it('heals a database whose lock table was left with two rows by racing migrators', async () => {
    const database = await createPostgresTestDatabase('pm_race');
    databases.push(database);
    const knex = knexFactory({ client: 'pg', connection: database.connection });
    try {
      await migrateModel(knex);
      await rollbackModel(knex);
      await knex('pm_model_migrations_lock').insert({ is_locked: 0 });
      const model = await createModel({ connection: database.connection });
      expect(await model.knex('pm_model_migrations_lock').select('is_locked')).toEqual([{ is_locked: 0 }]);
      await model.close();
    } finally {
      await knex.destroy();
    }
  }, 30_000);
});
