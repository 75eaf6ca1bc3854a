import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createSqlJobStore } from '@paasmaker/core';
import { postgresUrl } from '@paasmaker/test-servers';
import pg from 'pg';
import { describeJobEngineConformance } from './job-engine-conformance';

describeJobEngineConformance('SQLite', async () => {
  const folder = await mkdtemp(path.join(tmpdir(), 'paasmaker-sqlite-jobs-'));
  const filename = path.join(folder, 'jobs.db');
  return {
    open: async () => createSqlJobStore({ filename }),
    cleanUp: () => rm(folder, { recursive: true, force: true }),
  };
});

describeJobEngineConformance('PostgreSQL', async () => {
  const database = `pm_jobs_${randomUUID().replaceAll('-', '')}`;
  const admin = new pg.Client({ connectionString: postgresUrl() });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${database}`);
  await admin.end();
  const url = new URL(postgresUrl());
  url.pathname = `/${database}`;
  return {
    open: async () => createSqlJobStore({ connection: url.toString() }),
    async cleanUp() {
      const client = new pg.Client({ connectionString: postgresUrl() });
      await client.connect();
      await client.query(`DROP DATABASE ${database} WITH (FORCE)`);
      await client.end();
    },
  };
});
