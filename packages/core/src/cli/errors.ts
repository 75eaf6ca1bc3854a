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
