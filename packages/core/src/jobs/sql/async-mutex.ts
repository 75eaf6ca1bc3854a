/** Runs async functions one at a time, in the order they were given. */
export class AsyncMutex {
  private tail: Promise<unknown> = Promise.resolve();

  /** Runs `work` once every earlier one settled; resolves or rejects as `work` does. */
  run<T>(work: () => Promise<T>): Promise<T> {
    const result = this.tail.then(work);
    this.tail = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }
}
