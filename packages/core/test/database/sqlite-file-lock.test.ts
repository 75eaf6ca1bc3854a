import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import knexFactory from 'knex';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createSqlJobStore } from '../../src/jobs/sql/create-sql-job-store';
import { SqliteJobConnection } from '../../src/jobs/sql/sqlite-job-connection';
import { createModel } from '../../src/model';
import { ModelDatabase } from '../../src/model/model-database';
import { createStartedTree, idsFor, job } from '../jobs/job-store-test-helpers';

/** A promise and the function that resolves it. */
function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve = (): void => {};
  const promise = new Promise<void>((done) => {
    resolve = done;
  });
  return { promise, resolve };
}

/** Lets the event loop turn a few times (it could not, were a connection waiting on the file). */
async function turns(count = 5): Promise<void> {
  for (let turn = 0; turn < count; turn += 1) await new Promise<void>((done) => setImmediate(done));
}

/** Whether `promise` has settled, and with what, without waiting for it. */
function watch<T>(promise: Promise<T>): { settled: () => boolean; promise: Promise<T> } {
  let settled = false;
  const watched = promise.finally(() => {
    settled = true;
  });
  return { settled: () => settled, promise: watched };
}

describe('one lock per SQLite file for the model and the job store of a process', () => {
  const cleanUps: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanUp of cleanUps.splice(0).reverse()) await cleanUp();
  });

  async function sharedFile(): Promise<string> {
    const folder = await mkdtemp(path.join(tmpdir(), 'pm-sqlite-lock-'));
    cleanUps.push(() => rm(folder, { recursive: true, force: true }));
    return path.join(folder, 'paasmaker.db');
  }

  it("queues the job store's transaction behind the model's, without blocking the event loop", async () => {
    const filename = await sharedFile();
    const model = await createModel({ filename });
    cleanUps.push(() => model.close());
    const store = createSqlJobStore({ filename });
    cleanUps.push(() => store.close());
    await store.init();

    const inside = deferred();
    const release = deferred();
    cleanUps.push(async () => release.resolve());
    const holding = new ModelDatabase(model.knex).transaction('hold the file', async (trx) => {
      await trx.schema.createTable('pm_lock_probe', (table) => table.integer('id'));
      inside.resolve();
      await release.promise;
    });
    await inside.promise;
    const id = idsFor('root');
    const creating = watch(createStartedTree(store, [job(id.root, null)]));
    await turns();
    expect(creating.settled()).toBe(false);

    release.resolve();
    await holding;
    await creating.promise;
    expect(await store.readyJobs('node-a')).toEqual([id.root]);
  });

  it("queues the model's statements behind the job store's transaction", async () => {
    const filename = await sharedFile();
    const model = await createModel({ filename });
    cleanUps.push(() => model.close());
    const knex = knexFactory({ client: 'better-sqlite3', connection: { filename }, useNullAsDefault: true });
    const connection = new SqliteJobConnection(knex, true, pino({ enabled: false }));
    cleanUps.push(() => connection.close());
    await connection.migrate();

    const inside = deferred();
    const release = deferred();
    cleanUps.push(async () => release.resolve());
    const holding = connection.transaction(async () => {
      inside.resolve();
      await release.promise;
    });
    await inside.promise;
    const creating = watch(model.workspaces.create({ name: 'waits', stub: 'waits' }));
    await turns();
    expect(creating.settled()).toBe(false);

    release.resolve();
    await holding;
    expect((await creating.promise).name).toBe('waits');
  });
});
