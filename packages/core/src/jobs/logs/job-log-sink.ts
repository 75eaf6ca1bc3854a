import type { PaasmakerErrorCode } from '../../kernel/errors';

/** Where a followed log goes: one client connection's subscription to one job's log. */
export interface JobLogSink {
  /** The next part of the log; `offset` is just after `text`. Resolves once sent. */
  lines(text: string, offset: number): Promise<void>;
  /** The log does not exist yet. */
  missing(): void;
  /** Following failed; the subscription is over. */
  error(code: PaasmakerErrorCode, message: string): void;
}

/** A log being followed for a sink. */
export interface JobLogFollow {
  close(): void;
}
