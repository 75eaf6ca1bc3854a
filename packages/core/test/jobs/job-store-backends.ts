import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { redisUrl } from '@paasmaker/test-servers';
import { Redis, type RedisOptions } from 'ioredis';
import knexFactory, { type Knex } from 'knex';
import { createRedisJobStore, type RedisJobStore } from '../../src/jobs/redis/redis-job-store';
import { createSqlJobStore, type SqlJobStoreOptions } from '../../src/jobs/sql/create-sql-job-store';
import type { SqlJobStore } from '../../src/jobs/sql/sql-job-store';
import { createPostgresTestDatabase } from '../postgres-database';
import type { StoreFactory } from './job-engine-conformance';

// One backend per test: a Redis key prefix, a SQLite file or a PostgreSQL database of its own,
// so that tests (and test files running in parallel) never see each other's data or events.

export interface RedisBackend extends StoreFactory {
  readonly url: string;
  readonly keyPrefix: string;
  /** A new store on the test's prefix, not initialised. */
  open(redis?: RedisOptions): Promise<RedisJobStore>;
  /** Every key under the test's prefix. */
  keys(): Promise<string[]>;
}

export async function redisBackend(): Promise<RedisBackend> {
  const url = redisUrl();
  const keyPrefix = `pm:test:${randomUUID()}:`;
  const withAdmin = async <T>(use: (admin: Redis) => Promise<T>): Promise<T> => {
    const admin = new Redis(url);
    try {
      return await use(admin);
    } finally {
      await admin.quit();
    }
  };
  const keys = () =>
    withAdmin(async (admin) => {
      const found: string[] = [];
      for await (const batch of admin.scanStream({ match: `${keyPrefix}*`, count: 1000 }))
        found.push(...batch);
      return found;
    });
  return {
    url,
    keyPrefix,
    worker: { kind: 'redis', url, keyPrefix },
    open: async (redis) => createRedisJobStore({ url, keyPrefix, redis }),
    keys,
    async cleanUp() {
      const found = await keys();
      if (found.length) await withAdmin((admin) => admin.del(...found));
    },
  };
}

export interface SqlBackend extends StoreFactory {
  /** Options for a new store on the test's database. */
  readonly options: SqlJobStoreOptions;
  /** A new store on the test's database, not initialised. */
  open(): Promise<SqlJobStore>;
  /** A knex on the test's database, for looking under the store; the caller destroys it. */
  knex(): Knex;
}

/** A new SQLite file in a temporary folder of its own. */
export async function sqliteBackend(): Promise<SqlBackend> {
  const folder = await mkdtemp(path.join(tmpdir(), 'pm-sql-job-store-'));
  const filename = path.join(folder, 'jobs.db');
  return {
    options: { filename },
    worker: { kind: 'sql', options: { filename } },
    open: async () => createSqlJobStore({ filename }),
    knex: () => knexFactory({ client: 'better-sqlite3', connection: { filename }, useNullAsDefault: true }),
    cleanUp: () => rm(folder, { recursive: true, force: true }),
  };
}

/** A new PostgreSQL database, dropped by `cleanUp` (NOTIFYs never cross databases). */
export async function postgresBackend(): Promise<SqlBackend> {
  const { connection, drop } = await createPostgresTestDatabase('pm_jobs');
  return {
    options: { connection },
    worker: { kind: 'sql', options: { connection } },
    open: async () => createSqlJobStore({ connection }),
    knex: () => knexFactory({ client: 'pg', connection, pool: { min: 0, max: 2 } }),
    cleanUp: drop,
  };
}
