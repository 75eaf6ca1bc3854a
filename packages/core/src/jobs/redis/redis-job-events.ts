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

/** Whether a channel is subscribed, and the change to it under way. */
interface ChannelState {
  count: number;
  subscribed: boolean;
  changes: Promise<void>;
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
  /** Per channel: its subscriptions (counted from before SUBSCRIBE answers) and its changes. */
  private readonly channelStates = new Map<string, ChannelState>();

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
    const state = this.stateOf(channel);
    state.count += 1;
    try {
      await this.settle(channel, state);
    } catch (error) {
      state.count -= 1;
      throw error;
    }
    const subscription: Subscription = { listener, onResubscribed: options.onResubscribed, channel };
    this.subscriptions.add(subscription);
    return async () => {
      if (!this.subscriptions.delete(subscription)) return;
      state.count -= 1;
      // A failure here is a subscription arriving meanwhile failing to subscribe: it is told.
      await this.settle(channel, state).catch(() => undefined);
    };
  }

  /** Drops every listener and closes the connection. */
  async close(): Promise<void> {
    this.subscriptions.clear();
    this.channelStates.clear();
    await this.connection.close();
  }

  private stateOf(channel: string): ChannelState {
    let state = this.channelStates.get(channel);
    if (!state) {
      state = { count: 0, subscribed: false, changes: Promise.resolve() };
      this.channelStates.set(channel, state);
    }
    return state;
  }

  /**
   * Subscribes the channel while it has subscriptions and unsubscribes it once it has none, one
   * change at a time, each deciding on the count when its turn comes: a subscription arriving as
   * the last one leaves finds the channel subscribed. Rejects when subscribing fails.
   */
  private settle(channel: string, state: ChannelState): Promise<void> {
    const change = state.changes
      .catch(() => undefined)
      .then(async () => {
        if (state.count > 0 && !state.subscribed) {
          await this.connection.ready(this.connectTimeoutMs);
          try {
            await this.connection.redis.subscribe(channel);
          } catch (error) {
            throw this.connection.toError(error);
          }
          state.subscribed = true;
        } else if (state.count === 0 && state.subscribed) {
          state.subscribed = false;
          try {
            await this.connection.redis.unsubscribe(channel);
          } catch (error) {
            // Closed or offline: the connection holds no subscription then (ioredis forgets it).
            this.log.debug({ err: error, channel }, 'could not unsubscribe from job events');
          }
        }
      });
    state.changes = change;
    return change;
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
