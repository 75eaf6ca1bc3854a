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
  /** The channel it listens to: every event, or tree events only. */
  channel: string;
}

/** The two channels the scripts publish on (see redis-job-keys.ts). */
export interface RedisJobEventChannels {
  /** Every event; the scripts publish there only while it has subscribers. */
  all: string;
  /** Tree events only (`isTreeEvent`), always published. */
  tree: string;
}

/**
 * Receives the events every process publishes on the store's channels, on a connection of its
 * own (a subscribed connection can send nothing else), and hands them to the listeners. A
 * channel is subscribed while it has listeners: the scripts skip the channel of every event
 * while nobody listens to it.
 * ioredis resubscribes by itself after a reconnect; events published while it was away are lost
 * (pub/sub has no history), so each subscription's `onResubscribed` is called once the channels
 * listen again, for it to re-read what it may have missed.
 */
export class RedisJobEvents {
  private readonly subscriptions = new Set<Subscription>();
  /** Subscriptions per channel, counted from before their SUBSCRIBE is answered. */
  private readonly counts = new Map<string, number>();
  private readonly listening = new Map<string, Promise<void>>();

  /** @param connection a connection of its own (from `duplicate()`), connected on first use */
  constructor(
    private readonly connection: RedisJobConnection,
    private readonly channels: RedisJobEventChannels,
    private readonly log: Logger,
    private readonly connectTimeoutMs: number,
  ) {
    connection.redis.on('message', (from: string, message: string) => {
      if (from === channels.all || from === channels.tree) this.dispatch(from, message);
    });
    let connectedBefore = false;
    connection.redis.on('ready', () => {
      // The first 'ready' comes before the first SUBSCRIBE; later ones are reconnections.
      if (connectedBefore) void this.resubscribed();
      connectedBefore = true;
    });
  }

  /** Calls `listener` for every event (tree events only with `treeEventsOnly`) until the returned function is called. */
  async subscribe(
    listener: (event: JobEvent) => void,
    options: SubscribeOptions = {},
  ): Promise<() => Promise<void>> {
    const channel = options.treeEventsOnly ? this.channels.tree : this.channels.all;
    this.counts.set(channel, (this.counts.get(channel) ?? 0) + 1);
    try {
      await this.listen(channel);
    } catch (error) {
      await this.release(channel);
      throw error;
    }
    const subscription: Subscription = { listener, onResubscribed: options.onResubscribed, channel };
    this.subscriptions.add(subscription);
    return async () => {
      if (this.subscriptions.delete(subscription)) await this.release(channel);
    };
  }

  /** Drops every listener and closes the connection. */
  async close(): Promise<void> {
    this.subscriptions.clear();
    this.counts.clear();
    this.listening.clear();
    await this.connection.close();
  }

  private listen(channel: string): Promise<void> {
    let listening = this.listening.get(channel);
    if (!listening) {
      listening = this.subscribeChannel(channel);
      this.listening.set(channel, listening);
      listening.catch(() => {
        if (this.listening.get(channel) === listening) this.listening.delete(channel);
      });
    }
    return listening;
  }

  private async subscribeChannel(channel: string): Promise<void> {
    await this.connection.ready(this.connectTimeoutMs);
    try {
      await this.connection.redis.subscribe(channel);
    } catch (error) {
      throw this.connection.toError(error);
    }
  }

  /** One subscription of `channel` fewer; the last one unsubscribes (commands keep their order). */
  private async release(channel: string): Promise<void> {
    const left = (this.counts.get(channel) ?? 1) - 1;
    if (left > 0) {
      this.counts.set(channel, left);
      return;
    }
    this.counts.delete(channel);
    const listening = this.listening.get(channel);
    this.listening.delete(channel);
    if (
      !listening ||
      !(await listening.then(
        () => true,
        () => false,
      ))
    )
      return;
    try {
      await this.connection.redis.unsubscribe(channel);
    } catch (error) {
      // Closed or offline: the connection holds no subscription then (ioredis forgets it on close).
      this.log.debug({ err: error, channel }, 'could not unsubscribe from job events');
    }
  }

  /**
   * ioredis sends SUBSCRIBE again right after 'ready'; a PING on the same connection answers
   * after it, so once it does no later event can be missed and re-reading is safe.
   */
  private async resubscribed(): Promise<void> {
    if (this.subscriptions.size === 0) return;
    try {
      await this.connection.redis.ping();
    } catch (error) {
      this.log.warn({ err: error, channels: this.channels }, 'the job event connection dropped again');
      return;
    }
    this.log.info({ channels: this.channels }, 'listening to job events again; subscribers re-read');
    for (const { onResubscribed } of [...this.subscriptions]) {
      try {
        onResubscribed?.();
      } catch (error) {
        this.log.error({ err: error }, 'a job event resubscription callback threw');
      }
    }
  }

  private dispatch(channel: string, message: string): void {
    let events: JobEvent[];
    try {
      events = eventsFromMessage(message);
    } catch (error) {
      this.log.error({ err: error, channel }, 'ignored a malformed job event message');
      return;
    }
    const listeners = [...this.subscriptions].filter((subscription) => subscription.channel === channel);
    for (const event of events) {
      for (const subscription of listeners) {
        if (!this.subscriptions.has(subscription)) continue;
        try {
          subscription.listener(event);
        } catch (error) {
          this.log.error({ err: error, event }, 'a job event listener threw');
        }
      }
    }
  }
}
