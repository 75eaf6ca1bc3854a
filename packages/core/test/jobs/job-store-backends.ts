import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { redisUrl } from '@paasmaker/test-servers';
import { Redis, type RedisOptions } from 'ioredis';
import knexFactory, { type Knex } from 'knex';
import { afterAll, beforeAll } from 'vitest';
import { createRedisJobStore, type RedisJobStore } from '../../src/jobs/redis/redis-job-store';
import { createSqlJobStore, type SqlJobStoreOptions } from '../../src/jobs/sql/create-sql-job-store';
import type { SqlJobStore } from '../../src/jobs/sql/sql-job-store';
import { createPostgresTestDatabase } from '../postgres-database';
import { HoldingTcpProxy } from './holding-tcp-proxy';
import type { StoreFactory } from './job-engine-conformance';
import type { BreakableEventsStore } from './job-engine-reconnect-cases';

// One backend per test: a Redis key prefix, a SQLite file or a PostgreSQL database of its own,
// so that tests (and test files running in parallel) never see each other's data or events.

/** A proxy to the server at `url` and the same URL through it. */
async function proxyTo(url: string, defaultPort: number): Promise<{ proxy: HoldingTcpProxy; url: URL }> {
  const direct = new URL(url);
  const proxy = await HoldingTcpProxy.start({
    host: direct.hostname,
    port: Number(direct.port || defaultPort),
  });
  const proxied = new URL(url);
  proxied.hostname = '127.0.0.1';
  proxied.port = String(proxy.port);
  return { proxy, url: proxied };
}

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
    // Its connections carry a name of their own; the subscriber is the one of type pubsub.
    async openBreakable(): Promise<BreakableEventsStore> {
      const { proxy, url: proxied } = await proxyTo(url, 6379);
      const connectionName = `pm-test-${randomUUID()}`;
      const store = createRedisJobStore({ url: proxied.toString(), keyPrefix, redis: { connectionName } });
      return {
        store,
        async breakEvents() {
          proxy.hold();
          const killed = await withAdmin(async (admin) => {
            const clients = (await admin.call('CLIENT', 'LIST', 'TYPE', 'pubsub')) as string;
            const ids = clients
              .split('\n')
              .filter((line) => line.includes(` name=${connectionName} `))
              .map((line) => /^id=(\d+) /.exec(line)?.[1] as string);
            let count = 0;
            for (const id of ids) count += (await admin.call('CLIENT', 'KILL', 'ID', id)) as number;
            return count;
          });
          if (killed !== 1) throw new Error(`expected to kill 1 job event connection, killed ${killed}`);
        },
        restore: () => proxy.release(),
        close: () => proxy.close(),
      };
    },
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
    // Its connections carry an application_name of their own; the LISTEN one last ran LISTEN.
    async openBreakable(): Promise<BreakableEventsStore> {
      const { proxy, url: proxied } = await proxyTo(connection, 5432);
      const applicationName = `pm-test-${randomUUID()}`;
      proxied.searchParams.set('application_name', applicationName);
      const store = createSqlJobStore({ connection: proxied.toString() });
      return {
        store,
        async breakEvents() {
          proxy.hold();
          const admin = knexFactory({ client: 'pg', connection, pool: { min: 0, max: 1 } });
          try {
            // With a timeout, pg_terminate_backend returns once the backend is gone.
            const { rows } = await admin.raw(
              "SELECT pg_terminate_backend(pid, 10000) AS gone FROM pg_stat_activity WHERE application_name = ? AND query LIKE 'LISTEN%'",
              [applicationName],
            );
            if (rows.length !== 1 || !rows[0].gone)
              throw new Error(`expected to end 1 LISTEN connection, got ${JSON.stringify(rows)}`);
          } finally {
            await admin.destroy();
          }
        },
        restore: () => proxy.release(),
        close: () => proxy.close(),
      };
    },
    cleanUp: drop,
  };
}

/** A plain connection to the test Redis for the tests of a `describe`: opened before, closed after. */
export function useRedisAdmin(): () => Redis {
  let admin: Redis | undefined;
  beforeAll(async () => {
    admin = new Redis(redisUrl());
    await admin.ping();
  });
  afterAll(async () => {
    await admin?.quit();
  });
  return () => {
    if (!admin) throw new Error('no Redis admin connection outside a test');
    return admin;
  };
}
