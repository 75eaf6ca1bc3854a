import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import publishTableScript from '../../../../../../lua/router/publish-table-2.lua';
import { PaasmakerError } from '../../../kernel/errors';
import type { RoutingTable } from '../routing-table';
import { LoadedSerials } from './loaded-serials';
import { routingTableText } from './routing-table-text';

/** Options of {@link publishRoutingTable}. */
export interface RoutingTablePublisherOptions {
  table: RoutingTable;
  /** The Redis the nginx routers read (through their local replica, in a cluster). */
  redis: Redis;
  /** Key prefix; default `pm:router:`. The routers must be given the same. */
  prefix?: string;
  logger?: Logger;
  /** Milliseconds between attempts after a failed write; default 1 000. */
  retryMs?: number;
  /** Milliseconds between checks that Redis still holds the table and reads of what routers hold; default 1 000. */
  checkMs?: number;
  /** A router worker whose report has not moved for this long is gone (not waited for); default 5 000. */
  staleMs?: number;
}

/** Options of {@link RoutingTablePublisher.confirm}. */
export interface ConfirmOptions {
  /** Default 10 000 ms. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

/** A running publisher. */
export interface RoutingTablePublisher {
  /** Resolves with the Redis serial once the table as it is now is in Redis (rejects with `E_ROUTER_UNAVAILABLE`). */
  flush(): Promise<number>;
  /**
   * Resolves with the serial once the table as it is now is in Redis and every live router worker
   * holds it (or a later one); `E_ROUTER_UNCONFIRMED` when that does not happen within `timeoutMs`.
   */
  confirm(options?: ConfirmOptions): Promise<number>;
  /** Live router workers (`<name>/<pid>`) and the serial each holds, as of the last check. */
  routers(): Record<string, number>;
  /** Stops publishing after a last attempt to write the table; does not close the Redis connection. */
  close(): Promise<void>;
}

type PublishingRedis = Redis & {
  paasmakerPublishRoutingTable(table: string, serial: string, text: string, floor: string): Promise<number>;
};

/**
 * Keeps a copy of `table` in Redis for nginx routers: `<prefix>table` (see
 * {@link routingTableText}) and `<prefix>serial`, written together by one script whenever the
 * table changes (`lua/router/publish-table-2.lua`). Changes made in one tick are written once;
 * after a failed write it tries again every `retryMs` (1 s) until Redis takes the table, so
 * routers never keep a stale one for long; that holds for the first write too (resolves at once,
 * and `flush()` says whether it is in). Every `checkMs` it reads the serial, the table key and
 * `<prefix>loaded` (what routers hold): a serial below the one it wrote or a missing table
 * (Redis restarted empty or from an older snapshot) is published again.
 */
export async function publishRoutingTable(
  options: RoutingTablePublisherOptions,
): Promise<RoutingTablePublisher> {
  const prefix = options.prefix ?? 'pm:router:';
  const keys = { table: `${prefix}table`, serial: `${prefix}serial`, loaded: `${prefix}loaded` };
  const redis = options.redis as PublishingRedis;
  if (typeof redis.paasmakerPublishRoutingTable !== 'function')
    redis.defineCommand('paasmakerPublishRoutingTable', { numberOfKeys: 2, lua: publishTableScript });
  const loaded = new LoadedSerials(options.staleMs ?? 5000);
  let written = -1;
  let published = 0;
  let writing: Promise<number> = Promise.resolve(0);
  let scheduled = false;
  let retry: NodeJS.Timeout | undefined;
  let closed = false;

  const write = async (): Promise<number> => {
    const serial = options.table.serial;
    if (serial === written) return published;
    const text = routingTableText(options.table);
    try {
      // Above the last serial written and the clock, so a restarted pacemaker outranks what
      // routers hold even when Redis restarted empty as well.
      const floor = Math.max(published + 1, Date.now());
      published = Number(
        await redis.paasmakerPublishRoutingTable(keys.table, keys.serial, text, String(floor)),
      );
      written = serial;
      return published;
    } catch (error) {
      throw new PaasmakerError(
        'E_ROUTER_UNAVAILABLE',
        `Cannot publish the routing table to Redis: ${(error as Error).message}`,
        { cause: error },
      );
    }
  };
  const flush = (): Promise<number> => {
    writing = writing.catch(() => 0).then(write);
    return writing;
  };
  const publishSoon = (): void => {
    flush().catch((error: unknown) => {
      options.logger?.warn({ err: error }, 'routing table not published; trying again in a moment');
      if (closed || retry) return;
      retry = setTimeout(() => {
        retry = undefined;
        publishSoon();
      }, options.retryMs ?? 1000);
      retry.unref();
    });
  };
  const stop = options.table.onChange(() => {
    if (scheduled) return;
    scheduled = true;
    queueMicrotask(() => {
      scheduled = false;
      publishSoon();
    });
  });

  // Reads what Redis holds and what routers report; publishes again what Redis lost.
  const check = async (): Promise<void> => {
    const replies = await redis.multi().get(keys.serial).exists(keys.table).hgetall(keys.loaded).exec();
    if (!replies) return;
    const [serial, exists, hash] = replies.map(([error, value]) => {
      if (error) throw error;
      return value;
    });
    const forget = loaded.observe((hash ?? {}) as Record<string, string>);
    if (forget.length) await redis.hdel(keys.loaded, ...forget);
    if (published > 0 && (exists === 0 || serial === null || Number(serial) < published)) {
      options.logger?.warn(
        { published, found: serial, table: exists === 1 },
        'routing table lost or rolled back in Redis; publishing it again',
      );
      written = -1;
      publishSoon();
    }
  };
  let checking: Promise<void> | undefined;
  // One check at a time; a caller waiting for confirmation sees its failure.
  const checkSoon = (): Promise<void> => {
    checking ??= check().finally(() => {
      checking = undefined;
    });
    return checking;
  };
  const checker = setInterval(() => {
    checkSoon().catch((error: unknown) =>
      options.logger?.debug({ err: error }, 'cannot check the routing table in Redis'),
    );
  }, options.checkMs ?? 1000);
  checker.unref();

  const confirm = async ({ timeoutMs = 10_000, signal }: ConfirmOptions = {}): Promise<number> => {
    const deadline = Date.now() + timeoutMs;
    let target: number | undefined;
    let problem = 'no attempt finished';
    for (;;) {
      signal?.throwIfAborted();
      try {
        target ??= await flush();
        await checkSoon();
        const behind = loaded.lagging(target);
        if (behind.length === 0) return target;
        problem = `router workers still on an older table: ${behind.join(', ')}`;
      } catch (error) {
        problem = (error as Error).message;
      }
      if (Date.now() >= deadline)
        throw new PaasmakerError(
          'E_ROUTER_UNCONFIRMED',
          `The routers did not confirm routing table serial ${target ?? '(not published)'} within ${timeoutMs} ms: ${problem}`,
        );
      await sleep(100, undefined, { signal });
    }
  };

  // A Redis that is away at the start is retried like any other failure: routers keep serving
  // the table they have meanwhile.
  await flush().catch(() => publishSoon());
  return {
    flush,
    confirm,
    routers: () => loaded.live(),
    async close() {
      closed = true;
      clearTimeout(retry);
      clearInterval(checker);
      stop();
      await checking?.catch(() => undefined);
      // A last write, if Redis takes it; a pacemaker still stops when Redis is away.
      await flush().catch(() => undefined);
    },
  };
}
