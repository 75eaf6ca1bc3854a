import { isConnectionError } from './sql-job-errors';

const attempts = 20;
const delayMs = 100;

/**
 * Runs the migrator again while another store migrates the same database at the same time:
 * knex then reports its migration lock as taken, or its migrations table as created twice.
 * Connection failures are not retried (they are reported at once).
 */
export async function retryMigration(migrate: () => Promise<unknown>): Promise<void> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      await migrate();
      return;
    } catch (error) {
      if (attempt >= attempts || isConnectionError(error)) throw error;
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
  }
}
