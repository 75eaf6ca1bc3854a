import { setTimeout as sleep } from 'node:timers/promises';
import type { CliContext } from './context';
import { CliError, EXIT, PacemakerUnreachableError } from './errors';

/** The environment variable that bounds how long following waits for an unreachable pacemaker (seconds). */
export const UNREACHABLE_LIMIT_ENV = 'PAASMAKER_UNREACHABLE_LIMIT';
/** By default following gives up once the pacemaker has not answered for 10 minutes in a row. */
export const DEFAULT_UNREACHABLE_LIMIT_S = 600;

const FIRST_DELAY_MS = 1000;
const MAX_DELAY_MS = 15_000;
/** A read's first timeout; doubled per retry, so a slow pacemaker gets the time it needs. */
const FIRST_TIMEOUT_MS = 30_000;
const MAX_TIMEOUT_MS = 300_000;

/** Options of {@link PatientReader}. */
export interface PatientReaderOptions {
  /** The pacemaker's URL, for the notices. */
  url: string;
  /** Give up once the pacemaker has not answered for this long in a row. */
  limitMs: number;
  /** Where "not answering; retrying" and "answers again" go (stderr). */
  notice(line: string): void;
  /** Added to the error when giving up: how to pick up again (`paasmaker job follow …`). */
  resume?: string;
}

/**
 * Reads for a command that follows a job tree: while the pacemaker is unreachable (connection
 * refused or dropped, no answer in time, a gateway's 502–504) the read is retried with backoff,
 * each retry announced, until the pacemaker has been unreachable for `limitMs` in a row. Any
 * other error (an API error) is thrown at once. Only reads go through it: a request that starts
 * an action is not idempotent and is never retried.
 */
export class PatientReader {
  constructor(private readonly options: PatientReaderOptions) {}

  /** Runs `read` (given the timeout to use) until it succeeds, fails otherwise, or the limit passes. */
  async read<T>(read: (timeoutMs: number) => Promise<T>): Promise<T> {
    const { url, limitMs, notice } = this.options;
    let downSince: number | undefined;
    for (let attempt = 0; ; attempt++) {
      const started = Date.now();
      const left = downSince === undefined ? limitMs : limitMs - (started - downSince);
      try {
        const value = await read(
          Math.max(1000, Math.min(MAX_TIMEOUT_MS, FIRST_TIMEOUT_MS * 2 ** attempt, left)),
        );
        if (downSince !== undefined) notice(`the pacemaker at ${url} answers again; following on.`);
        return value;
      } catch (error) {
        if (!(error instanceof PacemakerUnreachableError)) throw error;
        downSince ??= started;
        const down = Date.now() - downSince;
        if (down >= limitMs)
          throw new CliError(
            `the pacemaker at ${url} has not answered for ${seconds(down)} s (${error.reason}); gave up following${this.options.resume ? `: ${this.options.resume}` : ''}`,
          );
        const delay = Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** attempt, limitMs - down);
        notice(
          `the pacemaker at ${url} is not answering (${error.reason}); still following (retrying in ${seconds(delay)} s)…`,
        );
        await sleep(delay);
      }
    }
  }
}

/**
 * A {@link PatientReader} for a CLI run: notices on stderr, the limit from
 * `$PAASMAKER_UNREACHABLE_LIMIT` (seconds; default 600).
 */
export function patientReader(context: CliContext, url: string, resume?: string): PatientReader {
  const configured = context.io.env[UNREACHABLE_LIMIT_ENV];
  if (configured !== undefined && !/^[1-9][0-9]{0,6}$/.test(configured))
    throw new CliError(
      `$${UNREACHABLE_LIMIT_ENV} must be a number of seconds (1 or more), not ${JSON.stringify(configured)}`,
      EXIT.usage,
    );
  return new PatientReader({
    url,
    limitMs: Number(configured ?? DEFAULT_UNREACHABLE_LIMIT_S) * 1000,
    notice: (line) => context.io.stderr.write(`${line}\n`),
    ...(resume ? { resume } : {}),
  });
}

function seconds(ms: number): number {
  return Math.max(1, Math.round(ms / 1000));
}
