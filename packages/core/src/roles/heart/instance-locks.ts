/** Serialises operations per instance: each runs after every earlier one on the same instance settled. */
export class InstanceLocks {
  private readonly tails = new Map<string, Promise<unknown>>();

  /** True while an operation on `instanceId` runs or waits. */
  busy(instanceId: string): boolean {
    return this.tails.has(instanceId);
  }

  /** Runs `work` once the instance's earlier operations settled; resolves or rejects as `work` does. */
  run<T>(instanceId: string, work: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(instanceId) ?? Promise.resolve();
    const result = previous.then(work);
    const settled = result.catch(() => {});
    this.tails.set(instanceId, settled);
    void settled.then(() => {
      if (this.tails.get(instanceId) === settled) this.tails.delete(instanceId);
    });
    return result;
  }

  /** Resolves once every operation started so far settled. */
  async idle(): Promise<void> {
    await Promise.all([...this.tails.values()]);
  }
}
