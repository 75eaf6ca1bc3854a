import { describeJobEngineConformance } from './job-engine-conformance';
import { postgresBackend, sqliteBackend } from './job-store-backends';

describeJobEngineConformance('SQLite', sqliteBackend);
describeJobEngineConformance('PostgreSQL', postgresBackend);
