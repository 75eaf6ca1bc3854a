/** One router worker's report, as the publisher last saw it. */
interface Seen {
  /** The raw value, `<serial> <time>`: a live worker changes it every second. */
  value: string;
  serial: number;
  /** When (this process's clock) the value last changed. */
  changedAt: number;
}

/**
 * What nginx router workers report in `<prefix>loaded` (field `<name>/<pid>`, value
 * `<serial> <time>`), remembered across reads. A worker is live while its value keeps moving
 * (judged on this process's clock, so router clocks do not matter) and for `staleMs` after; a live
 * worker missing from the hash (Redis lost it) counts with the serial last seen until it reports
 * again or goes stale.
 */
export class LoadedSerials {
  readonly #seen = new Map<string, Seen>();
  /** Liveness is judged as of the last read, so a Redis that cannot be read makes no worker look gone. */
  #observedAt = 0;

  constructor(
    readonly staleMs: number,
    /** After how long without a change a field is removed from the hash (a worker gone for good). */
    readonly forgetMs: number = 60_000,
  ) {}

  /** Takes in a read of the hash; returns the fields to delete from it (gone for `forgetMs`). */
  observe(hash: Record<string, string>, now = Date.now()): string[] {
    this.#observedAt = now;
    const forget: string[] = [];
    for (const [field, value] of Object.entries(hash)) {
      const seen = this.#seen.get(field);
      if (!seen || seen.value !== value) {
        this.#seen.set(field, { value, serial: Number(value.split(' ')[0]), changedAt: now });
      } else if (now - seen.changedAt > this.forgetMs) {
        forget.push(field);
        this.#seen.delete(field);
      }
    }
    for (const [field, seen] of this.#seen)
      if (!(field in hash) && now - seen.changedAt > this.forgetMs) this.#seen.delete(field);
    return forget;
  }

  /** Live workers holding a serial below `serial`, as `name/pid@serial`. */
  lagging(serial: number, now = this.#observedAt): string[] {
    const behind: string[] = [];
    for (const [field, seen] of this.#seen)
      if (now - seen.changedAt <= this.staleMs && !(seen.serial >= serial))
        behind.push(`${field}@${seen.serial}`);
    return behind;
  }

  /** Live workers and the serial each holds. */
  live(now = this.#observedAt): Record<string, number> {
    const live: Record<string, number> = {};
    for (const [field, seen] of this.#seen)
      if (now - seen.changedAt <= this.staleMs) live[field] = seen.serial;
    return live;
  }
}
