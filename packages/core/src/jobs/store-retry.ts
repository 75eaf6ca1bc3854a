import type { Logger } from 'pino';
import { isPaasmakerError } from '../kernel/errors';

/**
 * Runs a store write that must not be lost (a job's outcome): while the store is unreachable
 * it retries with backoff, until it succeeds or `signal` aborts.
 */
export async function retryWhileUnavailable<T>(
  write: () => Promise<T>,
  options: { log: Logger; what: string; signal: AbortSignal },
): Promise<T | undefined> {
  let delay = 100;
  for (;;) {
    try {
      return await write();
    } catch (error) {
      if (!isPaasmakerError(error, 'E_JOBS_UNAVAILABLE') || options.signal.aborted) throw error;
      options.log.warn({ err: error, retryInMs: delay }, `job store unavailable; will retry ${options.what}`);
      await new Promise((resolve) => setTimeout(resolve, delay));
      if (options.signal.aborted) return undefined;
      delay = Math.min(delay * 2, 2_000);
    }
  }
}
