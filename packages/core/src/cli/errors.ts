/** Exit codes of `paasmaker`. */
export const EXIT = {
  ok: 0,
  /** The request failed: an API error, the pacemaker unreachable, not logged in. */
  error: 1,
  /** The command line is wrong (unknown command or option, missing argument). */
  usage: 2,
  /** A followed job tree (`job follow`, `deploy`, `version <action>`, …) ended FAILED or ABORTED. */
  jobFailed: 3,
} as const;

/** An error the CLI reports as one line (no stack) and turns into an exit code. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT.error,
    /** The API's error code, when the pacemaker answered with one. */
    readonly code?: string,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/**
 * The pacemaker did not answer: refused or dropped the connection, or no answer in time. Reads
 * that follow a job tree retry on it (see `PatientReader`); everything else reports it (exit 1).
 */
export class PacemakerUnreachableError extends CliError {
  constructor(
    message: string,
    /** What went wrong, short: `ECONNREFUSED`, `no answer within 30 s`, `HTTP 503`. */
    readonly reason: string,
  ) {
    super(message);
    this.name = 'PacemakerUnreachableError';
  }
}
