import { describe, expect, it } from 'vitest';
import { createSqlJobStore } from '../../src/jobs/sql/create-sql-job-store';
import { sqlJobMigrationConfig, sqlJobTables } from '../../src/jobs/sql/sql-job-migrations';
import { postgresBackend, sqliteBackend } from './job-store-backends';
import { describeJobStoreConformance } from './job-store-conformance';
import {
  createFinishedTrees,
  createStartedTree,
  idsFor,
  job,
  stateOf,
  useBackend,
} from './job-store-test-helpers';

describeJobStoreConformance('SQLite', sqliteBackend);
describeJobStoreConformance('PostgreSQL', postgresBackend);

describe.each([
  ['SQLite', sqliteBackend],
  ['PostgreSQL', postgresBackend],
])('SqlJobStore on %s', (_name, makeBackend) => {
  const { backend, track, openStore } = useBackend(makeBackend);
  const tables = [sqlJobTables.trees, sqlJobTables.jobs, sqlJobTables.tags, sqlJobTables.nodes];

  it('migrates up and down, and init is idempotent even when two stores run it at once', async () => {
    const knex = backend().knex();
    try {
      await knex.migrate.latest(sqlJobMigrationConfig);
      for (const table of tables) expect(await knex.schema.hasTable(table)).toBe(true);
      expect(await knex.schema.hasTable(sqlJobTables.migrations)).toBe(true);
      await knex.migrate.rollback(sqlJobMigrationConfig, true);
      for (const table of tables) expect(await knex.schema.hasTable(table)).toBe(false);

      const first = track(createSqlJobStore(backend().options));
      const second = track(createSqlJobStore(backend().options));
      await Promise.all([first.init(), second.init()]);
      await first.init();
      for (const table of tables) expect(await knex.schema.hasTable(table)).toBe(true);
      const id = idsFor('root');
      await createStartedTree(first, [job(id.root, null)]);
      expect(await stateOf(second, id.root)).toBe('WAITING');
    } finally {
      await knex.destroy();
    }
  });

  it('deletes every row of the trees it prunes', async () => {
    const store = await openStore();
    const jobIds = await createFinishedTrees(store);
    expect([...(await store.pruneFinishedTrees(100))].sort()).toEqual(jobIds.sort());
    const knex = backend().knex();
    try {
      for (const table of [sqlJobTables.trees, sqlJobTables.jobs, sqlJobTables.tags]) {
        const [row] = await knex(table).count({ n: '*' });
        expect([table, Number(row?.n)]).toEqual([table, 0]);
      }
    } finally {
      await knex.destroy();
    }
  });
});
