/** How {@link LoginThrottle} slows down repeated failures. */
export interface LoginThrottleOptions {
  /** Delay before the attempt that follows one failure; each further failure doubles it. */
  readonly baseDelayMs: number;
  /** The cap on the delay. */
  readonly maxDelayMs: number;
  /** Failures are forgotten this long after a login's last attempt. */
  readonly windowMs: number;
  /** Logins tracked at most; beyond it the least recently tried is forgotten, so memory stays bounded. */
  readonly maxTrackedLogins: number;
  /** The clock, in milliseconds (injectable for tests). */
  readonly now: () => number;
}

interface Failures {
  count: number;
  lastAttemptAt: number;
}

/**
 * Per-login exponential delay, held in memory: after `n` failures the next attempt waits
 * `min(maxDelayMs, baseDelayMs · 2^(n-1))` before its password is checked. An attempt counts as a
 * failure from the moment it begins until {@link succeeded} is called, so attempts sent in
 * parallel queue up behind growing delays instead of all waiting the same.
 */
export class LoginThrottle {
  private readonly failures = new Map<string, Failures>();

  constructor(private readonly options: LoginThrottleOptions) {}

  /** Begins an attempt for `login`: returns how long to wait before checking its credentials. */
  begin(login: string): number {
    const now = this.options.now();
    const known = this.failures.get(login);
    const count = known && now - known.lastAttemptAt <= this.options.windowMs ? known.count : 0;
    // Delete and set again so the Map's insertion order is least recently tried first.
    this.failures.delete(login);
    this.failures.set(login, { count: count + 1, lastAttemptAt: now });
    while (this.failures.size > this.options.maxTrackedLogins) {
      const oldest = this.failures.keys().next().value as string;
      this.failures.delete(oldest);
    }
    return count === 0 ? 0 : Math.min(this.options.maxDelayMs, this.options.baseDelayMs * 2 ** (count - 1));
  }

  /** The attempt for `login` succeeded: its failures are forgotten. */
  succeeded(login: string): void {
    this.failures.delete(login);
  }

  /** How many logins are tracked now. */
  get size(): number {
    return this.failures.size;
  }
}
