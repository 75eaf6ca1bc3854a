import type { Logger } from 'pino';
import type { JobState } from '../../kernel/providers/lifecycle-events';
import type { JobEvent, JobRef, SubscribeOptions } from '../job-store';
import type { RedisJobConnection } from './redis-job-connection';

/** Lua's cjson writes an empty array as `{}`: read anything that is not an array as empty. */
function arrayOf<T>(value: unknown): T[] {
  return Array.isArray(value) ? (value as T[]) : [];
}

/** One published message (a JSON array of events) as {@link JobEvent}s. */
export function eventsFromMessage(message: string): JobEvent[] {
  const raw = JSON.parse(message) as unknown;
  return arrayOf<Record<string, unknown>>(raw).map((event): JobEvent => {
    switch (event.kind) {
      case 'created':
        return {
          kind: 'created',
          treeId: event.treeId as string,
          parentId: (event.parentId as string | null) ?? null,
          jobIds: arrayOf<string>(event.jobIds),
        };
      case 'ready':
        return { kind: 'ready', treeId: event.treeId as string, jobs: arrayOf<JobRef>(event.jobs) };
      case 'aborted':
        return {
          kind: 'aborted',
          treeId: event.treeId as string,
          summary: event.summary as string,
          running: arrayOf<JobRef>(event.running),
        };
      default: {
        const state: JobEvent = {
          kind: 'state',
          treeId: event.treeId as string,
          jobId: event.jobId as string,
          parentId: (event.parentId as string | null) ?? null,
          nodeId: event.nodeId as string,
          state: event.state as JobState,
        };
        if (typeof event.summary === 'string') state.summary = event.summary;
        return state;
      }
    }
  });
}

/** One subscription; an object of its own so that one listener may be subscribed twice. */
interface Subscription {
  listener: (event: JobEvent) => void;
  onResubscribed?: () => void;
}

/**
 * Receives the events every process publishes on the store's channel, on a connection of its
 * own (a subscribed connection can send nothing else), and hands them to the listeners.
 * ioredis resubscribes by itself after a reconnect; events published while it was away are lost
 * (pub/sub has no history), so each subscription's `onResubscribed` is called once the channel
 * listens again, for it to re-read what it may have missed.
 */
export class RedisJobEvents {
  private readonly subscriptions = new Set<Subscription>();
  private subscribing: Promise<void> | undefined;

  /**
   * @param connection a connection of its own (from `duplicate()`), connected on first use
   * @param channel the channel the scripts publish on
   */
  constructor(
    private readonly connection: RedisJobConnection,
    private readonly channel: string,
    private readonly log: Logger,
    private readonly connectTimeoutMs: number,
  ) {
    connection.redis.on('message', (from: string, message: string) => {
      if (from === this.channel) this.dispatch(message);
    });
    let connectedBefore = false;
    connection.redis.on('ready', () => {
      // The first 'ready' comes before the first SUBSCRIBE; later ones are reconnections.
      if (connectedBefore) void this.resubscribed();
      connectedBefore = true;
    });
  }

  /** Calls `listener` for every event until the returned function is called. */
  async subscribe(
    listener: (event: JobEvent) => void,
    options: SubscribeOptions = {},
  ): Promise<() => Promise<void>> {
    this.subscribing ??= this.start().catch((error: unknown) => {
      this.subscribing = undefined;
      throw error;
    });
    await this.subscribing;
    const subscription: Subscription = { listener, onResubscribed: options.onResubscribed };
    this.subscriptions.add(subscription);
    return async () => {
      this.subscriptions.delete(subscription);
    };
  }

  /** Drops every listener and closes the connection. */
  async close(): Promise<void> {
    this.subscriptions.clear();
    await this.connection.close();
  }

  private async start(): Promise<void> {
    await this.connection.ready(this.connectTimeoutMs);
    try {
      await this.connection.redis.subscribe(this.channel);
    } catch (error) {
      throw this.connection.toError(error);
    }
  }

  /**
   * ioredis sends SUBSCRIBE again right after 'ready'; a PING on the same connection answers
   * after it, so once it does no later event can be missed and re-reading is safe.
   */
  private async resubscribed(): Promise<void> {
    try {
      await this.connection.redis.ping();
    } catch (error) {
      this.log.warn({ err: error, channel: this.channel }, 'the job event connection dropped again');
      return;
    }
    this.log.info({ channel: this.channel }, 'listening to job events again; subscribers re-read');
    for (const { onResubscribed } of [...this.subscriptions]) {
      try {
        onResubscribed?.();
      } catch (error) {
        this.log.error({ err: error }, 'a job event resubscription callback threw');
      }
    }
  }

  private dispatch(message: string): void {
    let events: JobEvent[];
    try {
      events = eventsFromMessage(message);
    } catch (error) {
      this.log.error({ err: error, channel: this.channel }, 'ignored a malformed job event message');
      return;
    }
    for (const event of events) {
      for (const { listener } of [...this.subscriptions]) {
        try {
          listener(event);
        } catch (error) {
          this.log.error({ err: error, event }, 'a job event listener threw');
        }
      }
    }
  }
}
