import type { Logger } from 'pino';
import type { JobEvent, JobStore } from '../job-store';

type TreeListener = (event: JobEvent) => void;

/**
 * One store subscription shared by every tree subscriber of a server, taken while anyone
 * listens (a store may publish every job's state change only while someone subscribes to them):
 * passes each event to the listeners of its tree.
 */
export class JobTreeEventFanout {
  private readonly listeners = new Map<string, Set<TreeListener>>();
  private subscription: Promise<() => Promise<void>> | undefined;
  /** Calls of `listen` waiting for the subscription: it must outlive them. */
  private joining = 0;
  private closed = false;

  constructor(
    private readonly store: Pick<JobStore, 'subscribe'>,
    private readonly log: Logger,
  ) {}

  /** Calls `listener` with every event of `treeId` until the returned function is called. */
  async listen(treeId: string, listener: TreeListener): Promise<() => void> {
    this.joining += 1;
    try {
      await this.subscribe();
    } finally {
      this.joining -= 1;
    }
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
      this.releaseIfUnused();
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

  /** Nobody listens or is about to: end the store subscription (the next listener takes another). */
  private releaseIfUnused(): void {
    const subscription = this.subscription;
    if (!subscription || this.listeners.size > 0 || this.joining > 0) return;
    this.subscription = undefined;
    subscription
      .then((unsubscribe) => unsubscribe())
      .catch((error: unknown) => this.log.warn({ err: error }, 'could not end the job event subscription'));
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
