import type { Redis, RedisOptions } from 'ioredis';
import type { Logger } from 'pino';
import type { PaasmakerError } from '../../kernel/errors';
import { jobStoreUnavailable, toJobStoreError } from './redis-job-errors';

/** What ioredis says when a command is sent while the connection is down. */
const offlineMessage = "Stream isn't writeable";

/**
 * ioredis settings for a job store connection: a command fails at once while Redis is down
 * (no offline queue, no resending of unanswered commands: a script that may have run must not
 * silently run twice), while ioredis keeps reconnecting in the background, at most 1 s apart.
 * `overrides` may change the timeouts and the retry strategy, not that behaviour.
 */
export function jobStoreRedisOptions(overrides: RedisOptions = {}): RedisOptions {
  return {
    connectTimeout: 2_000,
    retryStrategy: (attempt: number) => Math.min(attempt * 100, 1_000),
    ...overrides,
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    // Measured: auto-pipelining delays each write to batch it, which costs more latency per job
    // than it saves in writes (bench:jobs ran 1.5-2x faster without it).
    enableAutoPipelining: false,
    // Keys are built from the store's own prefix inside the scripts; an ioredis keyPrefix would
    // apply to KEYS[1] only and split the data.
    keyPrefix: '',
  };
}

/** `redis://host:port[/db]` (or `rediss://`, `unix:<path>`) for messages, without credentials. */
export function redisAddress(redis: Redis): string {
  const { host, port, db, path, tls } = redis.options;
  if (path) return `unix:${path}`;
  return `${tls ? 'rediss' : 'redis'}://${host}:${port}${db ? `/${db}` : ''}`;
}

/**
 * One connection of a job store to Redis: connects on demand with a deadline, remembers why
 * it was lost so that errors say so, and turns anything a command throws into a
 * PaasmakerError naming the server.
 */
export class RedisJobConnection {
  /** Where Redis is, for messages. */
  readonly address: string;
  private lastError: Error | undefined;
  private connected = false;

  /** @param redis a connection created with {@link jobStoreRedisOptions} (lazy) */
  constructor(
    readonly redis: Redis,
    private readonly log: Logger,
  ) {
    this.address = redisAddress(redis);
    redis.on('error', (error: Error) => {
      this.lastError = error;
      if (this.connected) log.warn({ err: error, address: this.address }, 'job store Redis connection lost');
      this.connected = false;
    });
    redis.on('ready', () => {
      if (this.lastError) log.info({ address: this.address }, 'job store Redis connection restored');
      this.connected = true;
      this.lastError = undefined;
    });
  }

  /** Connects if needed and waits until Redis answers; E_JOBS_UNAVAILABLE after `timeoutMs` or a failed attempt. */
  async ready(timeoutMs: number): Promise<void> {
    const { redis } = this;
    if (redis.status === 'ready') return;
    if (redis.status === 'end') throw jobStoreUnavailable(this.address, new Error('the store was closed'));
    await new Promise<void>((resolve, reject) => {
      const settle = (error?: PaasmakerError) => {
        clearTimeout(timer);
        redis.off('ready', onReady);
        redis.off('close', onClose);
        if (error) reject(error);
        else resolve();
      };
      const onReady = () => settle();
      const onClose = () =>
        settle(jobStoreUnavailable(this.address, this.lastError ?? new Error('the connection closed')));
      const timer = setTimeout(() => {
        const reason = this.lastError?.message ?? 'no answer';
        settle(jobStoreUnavailable(this.address, new Error(`${reason} (gave up after ${timeoutMs} ms)`)));
      }, timeoutMs);
      redis.once('ready', onReady);
      redis.once('close', onClose);
      if (redis.status === 'wait') {
        // A failed attempt is reported through the 'error' and 'close' events handled above.
        redis.connect().catch(() => undefined);
      }
    });
  }

  /** The PaasmakerError for something a command threw. */
  toError(error: unknown): PaasmakerError {
    if (error instanceof Error && error.message.startsWith(offlineMessage)) {
      const reason = this.lastError ? `not connected (${this.lastError.message})` : 'not connected';
      return jobStoreUnavailable(this.address, Object.assign(new Error(reason), { cause: error }));
    }
    return toJobStoreError(error, this.address);
  }

  /** Quits (or, when not connected, drops) the connection and stops reconnecting. */
  async close(): Promise<void> {
    const { redis } = this;
    if (redis.status === 'end') return;
    if (redis.status === 'ready') {
      try {
        await redis.quit();
        return;
      } catch (error) {
        this.log.debug({ err: error, address: this.address }, 'QUIT failed; disconnecting');
      }
    }
    redis.disconnect();
  }
}
