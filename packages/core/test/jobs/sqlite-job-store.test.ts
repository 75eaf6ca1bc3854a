import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createSqlJobStore } from '../../src/jobs/sql/create-sql-job-store';
import { sqliteBackend } from './job-store-backends';
import { createStartedTree, idsFor, job, rejection, useBackend } from './job-store-test-helpers';

describe('SqlJobStore on SQLite', () => {
  const { backend, track, openStore } = useBackend(sqliteBackend);

  it('waits (busy_timeout) while another process holds the write lock of the file', async () => {
    const store = await openStore();
    const id = idsFor('root');
    await createStartedTree(store, [job(id.root, null)]);

    const betterSqlite = createRequire(import.meta.url).resolve('better-sqlite3');
    const holder = spawn(
      process.execPath,
      [
        '-e',
        `const db = new (require(${JSON.stringify(betterSqlite)}))(${JSON.stringify(backend().options.filename)});
         db.exec('BEGIN IMMEDIATE');
         process.stdout.write('locked\\n');
         Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 600);
         db.exec('COMMIT');
         db.close();`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const exited = new Promise((resolve) => holder.on('exit', resolve));
    await new Promise<void>((resolve) => holder.stdout.on('data', () => resolve()));
    const started = Date.now();
    const claimed = await store.claim(id.root, 'node-a', 2);
    expect(claimed?.job.state).toBe('RUNNING');
    expect(Date.now() - started).toBeGreaterThan(300);
    expect(await exited).toBe(0);
  });

  it('reports a file it cannot open as E_JOBS_UNAVAILABLE naming it', async () => {
    const filename = path.join(path.dirname(backend().options.filename ?? ''), 'missing-folder', 'jobs.db');
    const store = track(createSqlJobStore({ filename }));
    expect(store.address).toBe(`sqlite:${filename}`);
    const error = await rejection(store.init());
    expect(error.code).toBe('E_JOBS_UNAVAILABLE');
    expect(error.message).toContain(`job store database at sqlite:${filename} is unreachable`);
  });

  it('keeps an in-memory database private to its store', async () => {
    const store = track(createSqlJobStore());
    await store.init();
    const id = idsFor('root');
    await createStartedTree(store, [job(id.root, null)]);
    expect(await store.readyJobs('node-a')).toEqual([id.root]);
    expect(store.address).toBe('sqlite::memory:');
  });
});
