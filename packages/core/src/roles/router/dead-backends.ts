/**
 * Instances that refused a connection recently. A marked instance is tried only after every
 * unmarked one, until its mark expires, so one dead backend costs one failed connect per
 * `deadMs` rather than one per request.
 */
export class DeadBackends {
  readonly #until = new Map<string, number>();

  /** @param deadMs how long a mark lasts */
  constructor(readonly deadMs: number) {}

  /** Marks `instanceId` dead for `deadMs` from now. */
  mark(instanceId: string): void {
    this.#until.set(instanceId, Date.now() + this.deadMs);
  }

  /** Forgets a mark (the instance answered). */
  clear(instanceId: string): void {
    this.#until.delete(instanceId);
  }

  /** Whether `instanceId` is marked and the mark has not expired. */
  isDead(instanceId: string): boolean {
    const until = this.#until.get(instanceId);
    if (until === undefined) return false;
    if (until > Date.now()) return true;
    this.#until.delete(instanceId);
    return false;
  }
}
