import type { Logger } from 'pino';

/** How often watched logs are checked for writes made by other processes. */
export const POLL_INTERVAL_MS = 200;

interface Watch {
  listeners: Set<() => void>;
  timer: NodeJS.Timeout;
  lastSize: number | undefined;
  polling: boolean;
}

/**
 * Who watches which job log. Writes made in this process notify at once ({@link notify});
 * other writers are noticed by polling each watched log's size, only while someone watches it.
 */
export class JobLogWatches {
  private readonly watches = new Map<string, Watch>();

  /**
   * @param size the log's size, -1 when it does not exist
   */
  constructor(
    private readonly size: (jobId: string) => Promise<number>,
    private readonly log: Logger | undefined,
  ) {}

  /** Calls `listener` when the log may have grown, until the returned function is called. */
  watch(jobId: string, listener: () => void): () => void {
    let watch = this.watches.get(jobId);
    if (!watch) {
      const created: Watch = {
        listeners: new Set(),
        lastSize: undefined,
        polling: false,
        timer: setInterval(() => void this.poll(jobId, created), POLL_INTERVAL_MS),
      };
      created.timer.unref();
      watch = created;
      this.watches.set(jobId, watch);
    }
    const entry = () => listener();
    watch.listeners.add(entry);
    return () => {
      const current = this.watches.get(jobId);
      if (!current?.listeners.delete(entry) || current.listeners.size > 0) return;
      clearInterval(current.timer);
      this.watches.delete(jobId);
    };
  }

  /** Tells the log's watchers it grew. */
  notify(jobId: string): void {
    for (const listener of this.watches.get(jobId)?.listeners ?? []) {
      try {
        listener();
      } catch (error) {
        this.log?.error({ err: error, jobId }, 'A job log watcher failed.');
      }
    }
  }

  /** Stops every watch. */
  close(): void {
    for (const watch of this.watches.values()) clearInterval(watch.timer);
    this.watches.clear();
  }

  private async poll(jobId: string, watch: Watch): Promise<void> {
    if (watch.polling) return;
    watch.polling = true;
    try {
      const size = await this.size(jobId);
      // The first poll always notifies: growth between a reader's last read and the watch
      // starting would otherwise go unnoticed until the next write.
      if (size !== watch.lastSize) {
        watch.lastSize = size;
        if (this.watches.get(jobId) === watch) this.notify(jobId);
      }
    } catch (error) {
      this.log?.warn({ err: error, jobId }, 'Cannot check the size of a job log.');
    } finally {
      watch.polling = false;
    }
  }
}
