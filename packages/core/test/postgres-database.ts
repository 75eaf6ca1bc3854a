import { randomUUID } from 'node:crypto';
import { postgresUrl } from '@paasmaker/test-servers';
import pg from 'pg';

/** A throwaway PostgreSQL database on the test server. */
export interface PostgresTestDatabase {
  /** The connection URL of the new database. */
  readonly connection: string;
  /** Drops the database, ending any connection still open on it. */
  drop(): Promise<void>;
}

/** Runs one statement on the test server's admin database. */
async function asAdmin(sql: string): Promise<void> {
  const admin = new pg.Client({ connectionString: postgresUrl() });
  await admin.connect();
  try {
    await admin.query(sql);
  } finally {
    await admin.end();
  }
}

/** Creates a new, empty database named `<prefix>_<random>`. */
export async function createPostgresTestDatabase(prefix: string): Promise<PostgresTestDatabase> {
  const database = `${prefix}_${randomUUID().replaceAll('-', '')}`;
  await asAdmin(`CREATE DATABASE ${database}`);
  const url = new URL(postgresUrl());
  url.pathname = `/${database}`;
  return {
    connection: url.toString(),
    drop: () => asAdmin(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`),
  };
}
