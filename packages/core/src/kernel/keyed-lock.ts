import { AsyncLocalStorage } from 'node:async_hooks';

/** How {@link KeyedLock.run} takes the lock. */
export interface KeyedLockRunOptions {
  /**
   * Join the hold the calling async context is already inside (taken by a reentrant `run` of
   * the same lock and key, and not yet over) instead of queueing behind it, which would wait
   * for itself forever. A hold taken without this option is never joined.
   */
  readonly reentrant?: boolean;
}

interface ReentrantHold {
  readonly lock: object;
  readonly key: unknown;
  active: boolean;
}

/** The reentrant holds the current async context runs inside. */
const reentrantHolds = new AsyncLocalStorage<readonly ReentrantHold[]>();

const ignore = (): void => {};

/**
 * Runs async work one at a time per key, in the order it was queued; work under different
 * keys runs concurrently. A failing piece of work does not stop the ones queued after it.
 * In-process only.
 *
 * @example
 * ```ts
 * import { KeyedLock } from '@paasmaker/core';
 *
 * const checkouts = new KeyedLock();
 * await checkouts.run('/srv/repos/app', async () => {
 *   // only one checkout of this folder at a time
 * });
 * ```
 */
export class KeyedLock<K = string> {
  private readonly tails = new Map<K, Promise<void>>();

  /** Runs `work` once every earlier work under `key` settled; resolves or rejects as `work` does. */
  run<T>(key: K, work: () => Promise<T>, options: KeyedLockRunOptions = {}): Promise<T> {
    if (options.reentrant && this.holds(key)) return Promise.resolve().then(work);
    const previous = this.tails.get(key) ?? Promise.resolve();
    const result = previous.then(() => (options.reentrant ? this.hold(key, work) : work()));
    const tail = result.then(ignore, ignore);
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }

  /** True while work under `key` runs or waits. */
  busy(key: K): boolean {
    return this.tails.has(key);
  }

  /** Resolves once every work queued so far (under any key) settled. */
  async idle(): Promise<void> {
    await Promise.all(this.tails.values());
  }

  private holds(key: K): boolean {
    return (
      reentrantHolds.getStore()?.some((hold) => hold.active && hold.lock === this && hold.key === key) ??
      false
    );
  }

  private async hold<T>(key: K, work: () => Promise<T>): Promise<T> {
    const hold: ReentrantHold = { lock: this, key, active: true };
    try {
      return await reentrantHolds.run([...(reentrantHolds.getStore() ?? []), hold], work);
    } finally {
      // Work the holder started but left running must queue from now on.
      hold.active = false;
    }
  }
}
