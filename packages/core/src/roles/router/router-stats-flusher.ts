import type { Logger } from 'pino';
import type { RouterStatsCollector } from './router-stats';
import { minuteOf, type RouterStatsBatch, type RouterStatsStore } from './router-stats-store';

/** Batches kept for a store that is away (a Redis restarting), oldest dropped first: five minutes' worth. */
const MAX_UNSENT = 300;

/**
 * Adds a collector's counts to a stats store every `intervalMs`, under the minute they were taken
 * in; a batch the store refused is tried again at the next flush, under its own minute.
 */
export class RouterStatsFlusher {
  readonly #unsent: { minute: number; batch: RouterStatsBatch }[] = [];
  readonly #timer: NodeJS.Timeout;
  #flushing: Promise<void> = Promise.resolve();

  constructor(
    readonly collector: RouterStatsCollector,
    readonly store: RouterStatsStore,
    intervalMs: number,
    readonly logger: Logger,
  ) {
    this.#timer = setInterval(() => void this.flush(), intervalMs);
    this.#timer.unref();
  }

  /** Adds what was counted since the last flush (after any flush in progress). */
  flush(): Promise<void> {
    this.#flushing = this.#flushing.then(() => this.#flush());
    return this.#flushing;
  }

  async #flush(): Promise<void> {
    const batch = this.collector.take();
    if (batch) this.#unsent.push({ minute: minuteOf(Date.now()), batch });
    if (this.#unsent.length > MAX_UNSENT) {
      this.#unsent.splice(0, this.#unsent.length - MAX_UNSENT);
      this.logger.warn({ kept: MAX_UNSENT }, 'router stats store away too long; dropped the oldest counts');
    }
    while (this.#unsent[0]) {
      const { minute, batch: next } = this.#unsent[0];
      try {
        await this.store.add(minute, next);
      } catch (error) {
        this.logger.warn({ err: error }, 'cannot add router stats to the store; will try again');
        return;
      }
      this.#unsent.shift();
    }
  }

  /** Stops the timer after a last flush. */
  async close(): Promise<void> {
    clearInterval(this.#timer);
    await this.flush();
  }
}
