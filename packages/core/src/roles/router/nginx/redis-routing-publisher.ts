import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { PaasmakerError } from '../../../kernel/errors';
import type { RoutingTable } from '../routing-table';
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
}

/** A running publisher. */
export interface RoutingTablePublisher {
  /** Resolves once the table as it is now is in Redis (rejects with `E_ROUTER_UNAVAILABLE`). */
  flush(): Promise<void>;
  /** Stops publishing after a last attempt to write the table; does not close the Redis connection. */
  close(): Promise<void>;
}

/**
 * Keeps a copy of `table` in Redis for nginx routers: `<prefix>table` (see
 * {@link routingTableText}) and `<prefix>serial`, written together in one MULTI whenever the
 * table changes. Changes made in one tick are written once; after a failed write it tries again
 * every `retryMs` (1 s) until Redis takes the table, so routers never keep a stale one for long;
 * that holds for the first write too (resolves at once, and `flush()` says whether it is in).
 */
export async function publishRoutingTable(
  options: RoutingTablePublisherOptions,
): Promise<RoutingTablePublisher> {
  const prefix = options.prefix ?? 'pm:router:';
  let written = -1;
  let writing: Promise<void> = Promise.resolve();
  let scheduled = false;
  let retry: NodeJS.Timeout | undefined;
  let closed = false;

  const write = async (): Promise<void> => {
    const serial = options.table.serial;
    if (serial === written) return;
    const text = routingTableText(options.table);
    try {
      // The serial is a fresh counter of Redis's own, so routers notice a table written by a new
      // pacemaker process whose in-memory serial started again from 0.
      await options.redis.multi().set(`${prefix}table`, text).incr(`${prefix}serial`).exec();
      written = serial;
    } catch (error) {
      throw new PaasmakerError(
        'E_ROUTER_UNAVAILABLE',
        `Cannot publish the routing table to Redis: ${(error as Error).message}`,
        {
          cause: error,
        },
      );
    }
  };
  const flush = (): Promise<void> => {
    writing = writing.catch(() => undefined).then(write);
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
  // A Redis that is away at the start is retried like any other failure: routers keep serving
  // the table they have meanwhile.
  await flush().catch(() => publishSoon());
  return {
    flush,
    async close() {
      closed = true;
      clearTimeout(retry);
      stop();
      // A last write, if Redis takes it; a pacemaker still stops when Redis is away.
      await flush().catch(() => undefined);
    },
  };
}
