// Requests at a steady rate through a router, for the fault tests: each answer is recorded with
// when it was sent, so a test can count the failures of any stretch of time.

import { patient } from '@paasmaker/test-servers';
import { httpGet } from './paas-test-helpers';

/** One request of a {@link SteadyLoad}: when it was sent, and its status (0: no answer). */
export interface LoadResult {
  readonly sentAt: number;
  readonly status: number;
  readonly detail: string;
}

/**
 * Sends a GET for `host` to 127.0.0.1:`port` every `1000 / perSecond` ms, whether or not the
 * earlier ones were answered (a slow router shows as failures, not as a slower rate). Each on a
 * connection of its own, as clients arriving: a reused keep-alive connection that the server
 * closes as idle just as a request goes out fails that request on any HTTP server, which is
 * not what these tests measure.
 */
export class SteadyLoad {
  readonly results: LoadResult[] = [];
  readonly #pending = new Set<Promise<void>>();
  readonly #timer: NodeJS.Timeout;

  constructor(port: number, host: string, perSecond = 20, timeoutMs = patient(5_000)) {
    this.#timer = setInterval(() => {
      const sentAt = Date.now();
      let timeout: NodeJS.Timeout | undefined;
      const request = Promise.race([
        httpGet(port, host).then(
          (answer) => ({
            status: answer.status,
            detail: answer.status === 200 ? '' : answer.body.slice(0, 200),
          }),
          (error: Error) => ({ status: 0, detail: error.message }),
        ),
        new Promise<{ status: number; detail: string }>((resolve) => {
          timeout = setTimeout(
            () => resolve({ status: 0, detail: `no answer within ${timeoutMs} ms` }),
            timeoutMs,
          );
        }),
      ]).then((answer) => {
        clearTimeout(timeout);
        this.results.push({ sentAt, ...answer });
      });
      this.#pending.add(request);
      void request.finally(() => this.#pending.delete(request));
    }, 1000 / perSecond);
  }

  /** The requests sent from `from` (ms) up to `to` that did not answer 200. */
  failed(from = 0, to = Number.POSITIVE_INFINITY): LoadResult[] {
    return this.sent(from, to).filter((result) => result.status !== 200);
  }

  /** The requests sent from `from` (ms) up to `to`. */
  sent(from = 0, to = Number.POSITIVE_INFINITY): LoadResult[] {
    return this.results.filter((result) => result.sentAt >= from && result.sentAt <= to);
  }

  /** Stops sending and waits for the answers still due. */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await Promise.all([...this.#pending]);
  }
}
