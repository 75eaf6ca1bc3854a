/** Settings of a {@link ReplacementBackoff}. */
export interface ReplacementBackoffOptions {
  /** Wait after a version's first replacement before its next; doubles with each one. */
  readonly firstMs: number;
  /** The longest wait; after twice this long without a replacement, a version starts afresh. */
  readonly maxMs: number;
  readonly clock?: () => number;
}

interface History {
  readonly count: number;
  readonly lastAt: number;
}

/**
 * Spaces out the replacements of a version whose instances keep failing wherever they run (a
 * crashing app is not fixed by moving it): the first is at once, then `firstMs`, `2 × firstMs`, …
 * up to `maxMs` apart. Kept in memory, per version.
 */
export class ReplacementBackoff {
  readonly #options: ReplacementBackoffOptions;
  readonly #clock: () => number;
  readonly #versions = new Map<number, History>();

  constructor(options: ReplacementBackoffOptions) {
    this.#options = options;
    this.#clock = options.clock ?? Date.now;
  }

  /** Milliseconds until the version may be replaced again; 0 when it may be now. */
  waitMs(versionId: number): number {
    const history = this.#current(versionId);
    if (!history) return 0;
    const wait = Math.min(this.#options.firstMs * 2 ** (history.count - 1), this.#options.maxMs);
    return Math.max(0, history.lastAt + wait - this.#clock());
  }

  /** Records that the version's failing instances were just replaced. */
  replaced(versionId: number): void {
    const count = (this.#current(versionId)?.count ?? 0) + 1;
    this.#versions.set(versionId, { count, lastAt: this.#clock() });
  }

  #current(versionId: number): History | undefined {
    const history = this.#versions.get(versionId);
    if (history && this.#clock() - history.lastAt > 2 * this.#options.maxMs) {
      this.#versions.delete(versionId);
      return undefined;
    }
    return history;
  }
}
