import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ModelOptions } from '../../src/model';
import { createPostgresTestDatabase } from '../postgres-database';

/** A database of its own for one test file: SQLite in a temporary folder, or a new PostgreSQL database. */
export interface ModelBackend {
  readonly name: 'sqlite' | 'postgres';
  /** Options for a model on the file's database. */
  readonly options: ModelOptions;
  /** Drops the database. */
  cleanUp(): Promise<void>;
}

async function sqliteBackend(): Promise<ModelBackend> {
  const folder = await mkdtemp(path.join(tmpdir(), 'pm-model-'));
  return {
    name: 'sqlite',
    options: { filename: path.join(folder, 'model.db') },
    cleanUp: () => rm(folder, { recursive: true, force: true }),
  };
}

async function postgresBackend(): Promise<ModelBackend> {
  const { connection, drop } = await createPostgresTestDatabase('pm_model');
  return {
    name: 'postgres',
    options: { connection },
    cleanUp: drop,
  };
}

/** Every backend the model runs on; each test file runs its suite once per entry. */
export const modelBackends = [
  { name: 'sqlite', open: sqliteBackend },
  { name: 'postgres', open: postgresBackend },
] as const;

/** A name no other test uses. */
export function unique(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}
