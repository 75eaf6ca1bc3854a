import { httpGet } from './paas-test-helpers';

/** One answer of a {@link RequestStream}: when it ended, and whether it was the one expected. */
export interface StreamResult {
  at: number;
  ok: boolean;
  /** The status, or the error of a request that got no answer (status 0). */
  detail: string;
}

/**
 * A steady stream of GETs for `host` on 127.0.0.1:`port`, one after another (a new connection
 * each, as a client arriving would), every `pauseMs`, until stopped. An answer is `ok` when it is a
 * 200 and `expected` accepts its body; figures of a fault are read off the results afterwards.
 */
export class RequestStream {
  readonly results: StreamResult[] = [];
  #running = true;
  readonly #done: Promise<void>;

  constructor(port: number, host: string, expected: (body: string) => boolean = () => true, pauseMs = 10) {
    this.#done = (async () => {
      while (this.#running) {
        const reply = await httpGet(port, host).catch((error: Error) => ({ status: 0, body: error.message }));
        const ok = reply.status === 200 && expected(reply.body);
        this.results.push({
          at: Date.now(),
          ok,
          detail: reply.status === 0 ? reply.body : `${reply.status}`,
        });
        await new Promise((resolve) => setTimeout(resolve, pauseMs));
      }
    })();
  }

  /** Answers that were not ok, ended between `from` and `to`. */
  failedBetween(from = 0, to = Number.POSITIVE_INFINITY): StreamResult[] {
    return this.results.filter((r) => !r.ok && r.at >= from && r.at <= to);
  }

  /** Answers ended from `from` on. */
  sentSince(from: number): number {
    return this.results.filter((r) => r.at >= from).length;
  }

  /** Failed answers grouped by detail, for a report (`502×3, ECONNREFUSED×12`). */
  summary(from = 0): string {
    const counts = new Map<string, number>();
    for (const r of this.failedBetween(from)) counts.set(r.detail, (counts.get(r.detail) ?? 0) + 1);
    return [...counts].map(([detail, n]) => `${detail}×${n}`).join(', ') || 'none';
  }

  async stop(): Promise<void> {
    this.#running = false;
    await this.#done;
  }
}
