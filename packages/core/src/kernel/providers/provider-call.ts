import type { Logger } from 'pino';

/** What every provider method receives besides its request. */
export interface ProviderCall {
  /** Logger for this call; inside a job it writes to that job's log. */
  log: Logger;
  /** Aborted when the caller gives up (a job tree aborted, a node shutting down). */
  signal: AbortSignal;
}
