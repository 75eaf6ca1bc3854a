import { open } from 'node:fs/promises';
import type { Knex } from 'knex';
import { migrateToLatest } from '../database/migrate-to-latest';
import { requireDriver } from '../drivers/require-driver';
import { PaasmakerError } from '../kernel/errors';
import { ApplicationRepository } from './application-repository';
import { InstanceRepository } from './instance-repository';
import { InstanceTypeRepository } from './instance-type-repository';
import { ModelDatabase } from './model-database';
import { toModelError } from './model-errors';
import { modelMigrationConfig } from './model-migrations';
import { NodeRepository } from './node-repository';
import { RoleRepository } from './role-repository';
import { ServiceRepository } from './service-repository';
import { UserRepository } from './user-repository';
import { VersionRepository } from './version-repository';
import { WorkspaceRepository } from './workspace-repository';

/** Where the model keeps its data: give one of `knex`, `connection` or `filename`. */
export type ModelOptions =
  /** An existing knex instance (client `better-sqlite3` or `pg`), never destroyed by the model. */
  | { knex: Knex }
  /** A PostgreSQL URL, `postgres://user:password@host:5432/database`. */
  | { connection: string }
  /** A SQLite file, created if missing (`:memory:` for a private, throw-away database). */
  | { filename: string };

/** The organisation model: one repository per aggregate, over one database. */
export interface Model {
  readonly workspaces: WorkspaceRepository;
  readonly services: ServiceRepository;
  readonly applications: ApplicationRepository;
  readonly versions: VersionRepository;
  readonly instanceTypes: InstanceTypeRepository;
  readonly instances: InstanceRepository;
  readonly nodes: NodeRepository;
  readonly users: UserRepository;
  readonly roles: RoleRepository;
  /** The knex instance underneath. */
  readonly knex: Knex;
  readonly dialect: 'sqlite' | 'postgres';
  /** Destroys the knex instance if the model created it. */
  close(): Promise<void>;
}

/** Brings the model's schema to the latest migration (`pm_model_migrations` records them). */
export async function migrateModel(knex: Knex): Promise<void> {
  try {
    await migrateToLatest(knex, modelMigrationConfig);
  } catch (error) {
    throw toModelError(error, 'migrate the model schema');
  }
}

/** Undoes every migration of the model: its tables are dropped (the migrations table stays). */
export async function rollbackModel(knex: Knex): Promise<void> {
  try {
    await knex.migrate.rollback(modelMigrationConfig, true);
  } catch (error) {
    throw toModelError(error, 'roll back the model schema');
  }
}

interface SqliteConnection {
  pragma(source: string): unknown;
}

/**
 * knex's own console output silenced: every failure it reports also rejects the query, which
 * the model turns into a PaasmakerError for the caller.
 */
const quietKnexLog = { warn() {}, error() {}, deprecate() {}, debug() {} };

function openKnex(options: ModelOptions): { knex: Knex; owned: boolean } {
  if ('knex' in options) return { knex: options.knex, owned: false };
  if ('connection' in options) {
    if (!/^postgres(ql)?:\/\//.test(options.connection))
      throw new PaasmakerError('E_MODEL_UNAVAILABLE', 'the model connection must be a postgres:// URL.');
    return {
      knex: requireDriver('knex', 'a PostgreSQL model', ['pg']).knex({
        client: 'pg',
        connection: options.connection,
        pool: { min: 0, max: 10 },
        acquireConnectionTimeout: 10_000,
        log: quietKnexLog,
      }),
      owned: true,
    };
  }
  const knex = requireDriver('knex', 'a SQLite model', ['better-sqlite3']).knex({
    client: 'better-sqlite3',
    connection: { filename: options.filename },
    useNullAsDefault: true,
    log: quietKnexLog,
    pool: {
      afterCreate(connection: SqliteConnection, done: (error: Error | null, connection: unknown) => void) {
        connection.pragma('journal_mode = WAL');
        connection.pragma('busy_timeout = 5000');
        connection.pragma('foreign_keys = ON');
        done(null, connection);
      },
    },
  });
  return { knex, owned: true };
}

/**
 * Opens the organisation model on SQLite or PostgreSQL, migrates its schema and returns its
 * repositories. With a SQLite `knex` of your own, foreign keys are switched on for its
 * connection here; keep its pool at one connection (knex's default) or set
 * `PRAGMA foreign_keys = ON` in its `afterCreate`, or cascades will not happen.
 */
export async function createModel(options: ModelOptions): Promise<Model> {
  // The file holds password and API key hashes: created 0600 (SQLite's WAL files follow its mode).
  if ('filename' in options && options.filename !== ':memory:')
    await (await open(options.filename, 'a', 0o600).catch(() => undefined))?.close();
  const { knex, owned } = openKnex(options);
  const db = new ModelDatabase(knex);
  try {
    if (db.dialect === 'sqlite' && !owned) await knex.raw('PRAGMA foreign_keys = ON');
    // Through the model's database: SQLite models of one process migrate one after the other.
    await db.run('migrate the model schema', () => migrateModel(knex));
  } catch (error) {
    if (owned) await knex.destroy();
    throw toModelError(error, 'open the model');
  }
  return {
    workspaces: new WorkspaceRepository(db),
    services: new ServiceRepository(db),
    applications: new ApplicationRepository(db),
    versions: new VersionRepository(db),
    instanceTypes: new InstanceTypeRepository(db),
    instances: new InstanceRepository(db),
    nodes: new NodeRepository(db),
    users: new UserRepository(db),
    roles: new RoleRepository(db),
    knex,
    dialect: db.dialect,
    close: async () => {
      if (owned) await knex.destroy();
    },
  };
}
