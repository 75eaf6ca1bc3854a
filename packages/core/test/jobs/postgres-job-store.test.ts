import { eventually } from '@paasmaker/test-servers';
import { describe, expect, it } from 'vitest';
import { createSqlJobStore } from '../../src/jobs/sql/create-sql-job-store';
import { postgresBackend } from './job-store-backends';
import {
  createStartedTree,
  createWideTree,
  idsFor,
  job,
  readyIdsIn,
  recordEvents,
  rejection,
  unusedPort,
  useBackend,
} from './job-store-test-helpers';

describe('SqlJobStore on PostgreSQL', () => {
  const { backend, openStore } = useBackend(postgresBackend);

  it('listens again when its LISTEN connection is killed', async () => {
    const store = await openStore();
    const listenerStore = await openStore();
    const { events } = await recordEvents(listenerStore);
    const knex = backend().knex();
    try {
      const killed = await knex.raw(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN%'",
      );
      expect(killed.rows).toHaveLength(1); // the listener store's LISTEN connection
    } finally {
      await knex.destroy();
    }
    await eventually(
      async () => {
        const id = idsFor('root');
        await createStartedTree(store, [job(id.root, null)]);
        await new Promise((resolve) => setTimeout(resolve, 50));
        expect(events.some((event) => event.treeId === id.root)).toBe(true);
      },
      { timeout: 5_000, interval: 100 },
    );
  });

  it('splits the events of a tree of 1,000 jobs into notifications PostgreSQL accepts', async () => {
    const store = await openStore();
    const listenerStore = await openStore();
    const { events } = await recordEvents(listenerStore);
    const { leafIds } = await createWideTree(store, 999);
    await eventually(() => expect(readyIdsIn(events)).toEqual(leafIds));
    expect(events.length).toBeGreaterThan(2);
    for (const event of events) expect(Buffer.byteLength(JSON.stringify(event))).toBeLessThan(8_000);
  });

  it('fails fast with E_JOBS_UNAVAILABLE naming the server, without its password, when unreachable', async () => {
    const port = await unusedPort();
    const store = createSqlJobStore({ connection: `postgres://pm:secret@127.0.0.1:${port}/jobs` });
    try {
      const started = Date.now();
      expect(store.address).toBe(`postgres://pm@127.0.0.1:${port}/jobs`);
      const init = await rejection(store.init());
      expect(init.code).toBe('E_JOBS_UNAVAILABLE');
      expect(init.message).toContain(
        `job store database at postgres://pm@127.0.0.1:${port}/jobs is unreachable`,
      );
      expect(init.message).toContain('ECONNREFUSED');
      expect(init.message).not.toContain('secret');
      expect((await rejection(store.claim('x', 'node-a', 1))).code).toBe('E_JOBS_UNAVAILABLE');
      expect((await rejection(store.subscribe(() => undefined))).code).toBe('E_JOBS_UNAVAILABLE');
      expect(Date.now() - started).toBeLessThan(10_000);
    } finally {
      await store.close();
    }
  });
});
