import type { Knex } from 'knex';

/** Names of the job store's tables; every one starts with `pm_job` so they can share a database. */
export const sqlJobTables = {
  trees: 'pm_job_trees',
  jobs: 'pm_job_jobs',
  tags: 'pm_job_tags',
  nodes: 'pm_job_nodes',
  leases: 'pm_job_leases',
  migrations: 'pm_job_migrations',
} as const;

interface SqlJobMigration {
  name: string;
  up(knex: Knex): Promise<void>;
  down(knex: Knex): Promise<void>;
}

const { trees, jobs, tags, nodes, leases } = sqlJobTables;

/** The predicate of the partial index on active jobs; queries on it repeat it word for word. */
export const activeJobPredicate = "state IN ('WAITING', 'RUNNING')";

/**
 * The schema, one migration per change, in order. Booleans are integers (0/1) and JSON is text
 * so that both dialects store and bind them the same way; times are milliseconds (bigint).
 */
const migrations: readonly SqlJobMigration[] = [
  {
    name: '0001_create_job_tables',
    async up(knex) {
      await knex.schema.createTable(trees, (table) => {
        table.text('tree_id').primary();
        // The tree's shared context, one JSON object; merges lock the row (PostgreSQL).
        table.text('context').notNullable();
        table.bigInteger('created_at').notNullable();
        // When the root finished; trees are pruned by it.
        table.bigInteger('finished_at').nullable();
        table.integer('aborted').notNullable().defaultTo(0);
        // Jobs ever added, for each new job's position (insertion order).
        table.integer('job_count').notNullable();
        table.index(['created_at', 'tree_id'], 'pm_job_trees_created_at');
        table.index(['finished_at'], 'pm_job_trees_finished_at');
      });
      await knex.schema.createTable(jobs, (table) => {
        table.text('id').primary();
        table.text('tree_id').notNullable().references('tree_id').inTable(trees).onDelete('CASCADE');
        table.text('parent_id').nullable();
        table.integer('position').notNullable();
        table.text('node_id').notNullable();
        table.text('type').notNullable();
        table.text('title').notNullable();
        table.text('parameters').notNullable();
        table.text('state').notNullable();
        table.text('summary').nullable();
        table.text('result').nullable();
        table.bigInteger('created_at').notNullable();
        table.bigInteger('started_at').nullable();
        table.bigInteger('finished_at').nullable();
        // A job is ready when WAITING and children_succeeded = children_total.
        table.integer('children_total').notNullable().defaultTo(0);
        table.integer('children_succeeded').notNullable().defaultTo(0);
        // Indexes on columns that never change: a state change rewrites no index but one (below).
        table.index(['tree_id', 'position'], 'pm_job_jobs_tree_position');
        table.index(['parent_id', 'position'], 'pm_job_jobs_parent_position');
      });
      // Only unfinished jobs, for readyJobs and crash recovery: small, and claiming (WAITING ->
      // RUNNING) leaves it as is. Queries must repeat the exact predicate for SQLite to use it.
      await knex.raw(`CREATE INDEX pm_job_jobs_node_active ON ${jobs} (node_id) WHERE ${activeJobPredicate}`);
      await knex.schema.createTable(tags, (table) => {
        table.text('tree_id').notNullable().references('tree_id').inTable(trees).onDelete('CASCADE');
        table.text('tag').notNullable();
        table.integer('position').notNullable();
        table.bigInteger('created_at').notNullable();
        table.primary(['tree_id', 'tag']);
        table.index(['tag', 'created_at', 'tree_id'], 'pm_job_tags_tag_created_at');
      });
      await knex.schema.createTable(nodes, (table) => {
        table.text('node_id').primary();
        table.text('info').notNullable();
        table.bigInteger('updated_at').notNullable();
      });
    },
    async down(knex) {
      await knex.schema.dropTable(nodes);
      await knex.schema.dropTable(tags);
      await knex.schema.dropTable(jobs);
      await knex.schema.dropTable(trees);
    },
  },
  {
    name: '0002_create_node_leases',
    async up(knex) {
      // One row per live node: the process holding it and when the lease lapses.
      await knex.schema.createTable(leases, (table) => {
        table.text('node_id').primary();
        table.text('holder').notNullable();
        table.bigInteger('expires_at').notNullable();
        table.index(['expires_at'], 'pm_job_leases_expires_at');
      });
    },
    async down(knex) {
      await knex.schema.dropTable(leases);
    },
  },
];

/** The migrations as a knex migration source (no files: they ship inside the bundle). */
const sqlJobMigrationSource: Knex.MigrationSource<SqlJobMigration> = {
  getMigrations: async () => [...migrations],
  getMigrationName: (migration) => migration.name,
  getMigration: async (migration) => ({ up: migration.up, down: migration.down }),
};

/**
 * The knex migrator settings of the job store: its in-code migrations and its own
 * `pm_job_migrations` table, so it shares a database with other migrated schemas. Use with
 * `knex.migrate.latest(sqlJobMigrationConfig)` or `knex.migrate.rollback(sqlJobMigrationConfig, true)`.
 */
export const sqlJobMigrationConfig: Knex.MigratorConfig = {
  migrationSource: sqlJobMigrationSource,
  tableName: sqlJobTables.migrations,
};
