import type { Knex } from 'knex';
import { INSTANCE_STATES, INTERNAL_AUTH_SOURCE, NODE_STATES, VERSION_STATES } from './model-states';
import { modelTables as t, uniqueConstraints } from './model-tables';

interface ModelMigration {
  name: string;
  up(knex: Knex): Promise<void>;
  down(knex: Knex): Promise<void>;
}

type Table = Knex.CreateTableBuilder;

/** `id`, then the table's own columns, then `created_at`/`updated_at` (milliseconds since the epoch). */
function createTable(knex: Knex, name: string, columns: (table: Table) => void): Promise<void> {
  return knex.schema.createTable(name, (table) => {
    table.increments('id').primary();
    columns(table);
    table.bigInteger('created_at').notNullable();
    table.bigInteger('updated_at').notNullable();
  });
}

/** The name of the table a builder creates (knex keeps it on the builder). */
function nameOf(table: Table): string {
  return (table as unknown as { _tableName: string })._tableName;
}

/** A foreign key column, indexed (neither dialect indexes them by itself). */
function reference(table: Table, column: string, target: string, onDelete: 'CASCADE' | 'RESTRICT'): void {
  table.integer(column).unsigned().notNullable().references('id').inTable(target).onDelete(onDelete);
  table.index([column], `${nameOf(table)}_${column}`);
}

/** A 0/1 flag: both dialects store, bind and compare integers the same way (`is_current = 1`). */
function flag(table: Table, column: string, value: 0 | 1): void {
  table.integer(column).notNullable().defaultTo(value);
  table.check(`?? IN (0, 1)`, [column], `${nameOf(table)}_${column}_flag`);
}

function state(table: Table, states: readonly string[], initial: string): void {
  table
    .text('state')
    .notNullable()
    .defaultTo(initial)
    .checkIn([...states], `${nameOf(table)}_state`);
}

/** The unique indexes of {@link uniqueConstraints} the migration `migration` (none: the first) creates. */
async function createUniqueIndexes(knex: Knex, migration?: string): Promise<void> {
  for (const unique of uniqueConstraints.filter((candidate) => candidate.migration === migration)) {
    const where = unique.where ? ` WHERE ${unique.where}` : '';
    await knex.raw(
      `CREATE UNIQUE INDEX ${unique.name} ON ${unique.table} (${unique.columns.join(', ')})${where}`,
    );
  }
}

/**
 * The schema, one migration per change, in order. Booleans are integers (0/1), JSON is text and
 * times are milliseconds (bigint), so that both dialects store and bind them the same way.
 */
const migrations: readonly ModelMigration[] = [
  {
    name: '0001_create_model_tables',
    async up(knex) {
      await createTable(knex, t.workspaces, (table) => {
        table.text('name').notNullable();
        table.text('stub').notNullable();
        table.text('tags').notNullable();
      });
      await createTable(knex, t.services, (table) => {
        reference(table, 'workspace_id', t.workspaces, 'CASCADE');
        table.text('name').notNullable();
        table.text('provider').notNullable();
        table.text('parameters').notNullable();
        table.text('credentials').notNullable();
        table.text('state').notNullable();
      });
      // RESTRICT: a workspace is deleted only once its applications are.
      await createTable(knex, t.applications, (table) => {
        reference(table, 'workspace_id', t.workspaces, 'RESTRICT');
        table.text('name').notNullable();
        table.text('manifest_path').notNullable();
      });
      await createTable(knex, t.versions, (table) => {
        reference(table, 'application_id', t.applications, 'CASCADE');
        table.integer('number').notNullable();
        state(table, VERSION_STATES, 'NEW');
        flag(table, 'is_current', 0);
        table.text('scm_name').notNullable();
        table.text('scm_parameters').notNullable();
        table.text('scm_revision').nullable();
        table.text('manifest').nullable();
        table.text('source_path').nullable();
        table.text('source_checksum').nullable();
      });
      // RESTRICT on the service: a service in use by a version cannot be deleted.
      await createTable(knex, t.versionServices, (table) => {
        reference(table, 'version_id', t.versions, 'CASCADE');
        reference(table, 'service_id', t.services, 'RESTRICT');
      });
      await createTable(knex, t.instanceTypes, (table) => {
        reference(table, 'version_id', t.versions, 'CASCADE');
        table.text('name').notNullable();
        table.text('runtime_name').notNullable();
        table.text('runtime_version').notNullable();
        table.text('runtime_parameters').notNullable();
        table.integer('quantity').notNullable().defaultTo(1).checkPositive(`${t.instanceTypes}_quantity`);
        table.text('startup').notNullable();
        table.text('placement_provider').notNullable();
        table.text('placement_parameters').notNullable();
        flag(table, 'exclusive', 0);
        flag(table, 'standalone', 0);
      });
      await createTable(knex, t.hostnames, (table) => {
        reference(table, 'instance_type_id', t.instanceTypes, 'CASCADE');
        table.text('hostname').notNullable();
      });
      await createTable(knex, t.crons, (table) => {
        reference(table, 'instance_type_id', t.instanceTypes, 'CASCADE');
        table.text('runspec').notNullable();
        table.text('uri').notNullable();
      });
      await createTable(knex, t.nodes, (table) => {
        table.text('uuid').notNullable();
        table.text('name').notNullable();
        table.text('route').notNullable();
        table.integer('api_port').notNullable();
        flag(table, 'heart', 0);
        flag(table, 'pacemaker', 0);
        flag(table, 'router', 0);
        state(table, NODE_STATES, 'ACTIVE');
        table.text('runtimes').notNullable();
        table.text('tags').notNullable();
        table.double('score').notNullable().defaultTo(1);
        table.bigInteger('last_heard_at').nullable();
        table.bigInteger('started_at').nullable();
      });
      await createTable(knex, t.instances, (table) => {
        table.text('uuid').notNullable();
        reference(table, 'instance_type_id', t.instanceTypes, 'CASCADE');
        reference(table, 'node_id', t.nodes, 'CASCADE');
        table.integer('port').nullable();
        state(table, INSTANCE_STATES, 'ALLOCATED');
      });
      await createTable(knex, t.users, (table) => {
        table.text('login').notNullable();
        table.text('email').notNullable();
        table.text('name').notNullable();
        table.text('auth_source').notNullable().defaultTo(INTERNAL_AUTH_SOURCE);
        flag(table, 'enabled', 1);
        table.text('password_hash').nullable();
        table.text('password_parameters').nullable();
        table.text('userdata').notNullable();
      });
      await createTable(knex, t.apiKeys, (table) => {
        reference(table, 'user_id', t.users, 'CASCADE');
        table.text('prefix').notNullable();
        table.text('key_hash').notNullable();
        table.text('label').notNullable();
        table.bigInteger('last_used_at').nullable();
        table.bigInteger('revoked_at').nullable();
        table.index(['prefix'], `${t.apiKeys}_prefix`);
      });
      await createTable(knex, t.roles, (table) => {
        table.text('name').notNullable();
      });
      await createTable(knex, t.rolePermissions, (table) => {
        reference(table, 'role_id', t.roles, 'CASCADE');
        table.text('permission').notNullable();
      });
      await createTable(knex, t.roleAllocations, (table) => {
        reference(table, 'user_id', t.users, 'CASCADE');
        reference(table, 'role_id', t.roles, 'CASCADE');
        // Null: the role holds on the whole cluster.
        table
          .integer('workspace_id')
          .unsigned()
          .nullable()
          .references('id')
          .inTable(t.workspaces)
          .onDelete('CASCADE');
        table.index(['workspace_id'], `${t.roleAllocations}_workspace_id`);
      });
      await createUniqueIndexes(knex);
    },
    async down(knex) {
      for (const table of [
        t.roleAllocations,
        t.rolePermissions,
        t.roles,
        t.apiKeys,
        t.users,
        t.instances,
        t.nodes,
        t.crons,
        t.hostnames,
        t.instanceTypes,
        t.versionServices,
        t.versions,
        t.applications,
        t.services,
        t.workspaces,
      ]) {
        await knex.schema.dropTable(table);
      }
    },
  },
  {
    // Deploys: how an instance type is checked healthy, the package type of a version's
    // stored package, an application's config vars (given to its instances) and the highest
    // version number it ever had (never reused), and the HTTP basic credentials of crons.
    name: '0002_deploy_columns',
    async up(knex) {
      await knex.schema.alterTable(t.instanceTypes, (table) => {
        table.text('health_check').notNullable().defaultTo('{}');
      });
      await knex.schema.alterTable(t.versions, (table) => {
        table.text('source_package_type').nullable();
      });
      await knex.schema.alterTable(t.applications, (table) => {
        table.text('config_vars').notNullable().defaultTo('{}');
        table.integer('last_version_number').notNullable().defaultTo(0);
      });
      await knex.schema.alterTable(t.crons, (table) => {
        table.text('username').nullable();
        table.text('password').nullable();
      });
    },
    async down(knex) {
      await knex.schema.alterTable(t.crons, (table) => {
        table.dropColumn('password');
        table.dropColumn('username');
      });
      await knex.schema.alterTable(t.applications, (table) => {
        table.dropColumn('last_version_number');
        table.dropColumn('config_vars');
      });
      await knex.schema.alterTable(t.versions, (table) => table.dropColumn('source_package_type'));
      await knex.schema.alterTable(t.instanceTypes, (table) => table.dropColumn('health_check'));
    },
  },
  {
    // A hostname is held by one application: its claim row, unique by hostname, is written in the
    // transaction that writes the hostname. Existing hostnames are claimed for the application
    // that named each first (lowest row id); an application that shares one with it already
    // keeps its rows (and routes), but none of its writes may name that hostname again.
    name: '0003_hostname_claims',
    async up(knex) {
      await createTable(knex, t.hostnameClaims, (table) => {
        table.text('hostname').notNullable();
        reference(table, 'application_id', t.applications, 'CASCADE');
      });
      await createUniqueIndexes(knex, '0003_hostname_claims');
      const now = Date.now();
      await knex.raw(
        `INSERT INTO ?? (hostname, application_id, created_at, updated_at)
         SELECT h.hostname, v.application_id, ?, ?
         FROM ?? h JOIN ?? it ON it.id = h.instance_type_id JOIN ?? v ON v.id = it.version_id
         WHERE h.id = (SELECT MIN(earliest.id) FROM ?? earliest WHERE earliest.hostname = h.hostname)`,
        [t.hostnameClaims, now, now, t.hostnames, t.instanceTypes, t.versions, t.hostnames],
      );
    },
    async down(knex) {
      await knex.schema.dropTable(t.hostnameClaims);
    },
  },
];

/** The migrations as a knex migration source (no files: they ship inside the bundle). */
const modelMigrationSource: Knex.MigrationSource<ModelMigration> = {
  getMigrations: async () => [...migrations],
  getMigrationName: (migration) => migration.name,
  getMigration: async (migration) => ({ up: migration.up, down: migration.down }),
};

/**
 * The knex migrator settings of the organisation model: its in-code migrations and its own
 * `pm_model_migrations` table, so it shares a database with the job store. Use with
 * `knex.migrate.latest(modelMigrationConfig)` or `knex.migrate.rollback(modelMigrationConfig, true)`.
 */
export const modelMigrationConfig: Knex.MigratorConfig = {
  migrationSource: modelMigrationSource,
  tableName: t.migrations,
};
