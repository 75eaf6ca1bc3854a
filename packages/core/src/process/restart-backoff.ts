/** When a process that exited may be restarted next: exponential backoff, forgotten once it stayed up. */
export class RestartBackoff {
  private failures = 0;
  private upSince: number | null = null;
  /** When the next restart may happen; `null` when none is due. */
  due: number | null = null;

  constructor(private readonly options: { initial: number; max: number; resetAfterMs: number }) {}

  /** The process went (or was found) up. */
  started(now = Date.now()): void {
    this.upSince = now;
    this.due = null;
  }

  /** The process is down and should come back: schedules the next attempt, later each time. */
  failed(now = Date.now()): number {
    if (this.upSince !== null && now - this.upSince >= this.options.resetAfterMs) this.failures = 0;
    this.upSince = null;
    const delay = Math.min(this.options.initial * 2 ** this.failures, this.options.max);
    this.failures += 1;
    this.due = now + delay;
    return delay;
  }

  /** No restart wanted any more (stopped on purpose). */
  cancel(): void {
    this.due = null;
    this.upSince = null;
  }
}
