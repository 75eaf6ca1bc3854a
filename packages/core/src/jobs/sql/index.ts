export { createSqlJobStore, type SqlJobStoreOptions } from './create-sql-job-store';
export { sqlJobMigrationConfig, sqlJobTables } from './sql-job-migrations';
export { SqlJobStore } from './sql-job-store';
