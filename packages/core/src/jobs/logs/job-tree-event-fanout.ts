import type { Logger } from 'pino';
import type { JobEvent, JobStore } from '../job-store';

type TreeListener = (event: JobEvent) => void;

/**
 * One store subscription shared by every tree subscriber of a server, taken on first use:
 * passes each event to the listeners of its tree.
 */
export class JobTreeEventFanout {
  private readonly listeners = new Map<string, Set<TreeListener>>();
  private subscription: Promise<() => Promise<void>> | undefined;
  private closed = false;

  constructor(
    private readonly store: Pick<JobStore, 'subscribe'>,
    private readonly log: Logger,
  ) {}

  /** Calls `listener` with every event of `treeId` until the returned function is called. */
  async listen(treeId: string, listener: TreeListener): Promise<() => void> {
    await this.subscribe();
    let set = this.listeners.get(treeId);
    if (!set) {
      set = new Set();
      this.listeners.set(treeId, set);
    }
    set.add(listener);
    const owner = set;
    return () => {
      owner.delete(listener);
      if (owner.size === 0 && this.listeners.get(treeId) === owner) this.listeners.delete(treeId);
    };
  }

  /** Ends the store subscription. */
  async close(): Promise<void> {
    this.closed = true;
    this.listeners.clear();
    const subscription = this.subscription;
    this.subscription = undefined;
    if (!subscription) return;
    const unsubscribe = await subscription.catch(() => undefined);
    await unsubscribe?.();
  }

  private subscribe(): Promise<() => Promise<void>> {
    if (!this.subscription) {
      const subscription = this.store.subscribe((event) => this.dispatch(event));
      this.subscription = subscription;
      // A failed subscription is retried by the next subscriber.
      subscription.catch(() => {
        if (this.subscription === subscription) this.subscription = undefined;
      });
    }
    return this.subscription;
  }

  private dispatch(event: JobEvent): void {
    if (this.closed) return;
    for (const listener of this.listeners.get(event.treeId) ?? []) {
      try {
        listener(event);
      } catch (error) {
        this.log.error({ err: error, treeId: event.treeId }, 'A job tree subscriber failed.');
      }
    }
  }
}
