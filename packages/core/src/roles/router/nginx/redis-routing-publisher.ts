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
}

/** A running publisher. */
export interface RoutingTablePublisher {
  /** Resolves once the table as it is now is in Redis (rejects with `E_ROUTER_UNAVAILABLE`). */
  flush(): Promise<void>;
  /** Stops publishing (after a last flush); does not close the Redis connection. */
  close(): Promise<void>;
}

/**
 * Keeps a copy of `table` in Redis for nginx routers: `<prefix>table` (see
 * {@link routingTableText}) and `<prefix>serial`, written together in one MULTI whenever the
 * table changes. Changes made in one tick are written once; a failed write is retried with the
 * next change or {@link RoutingTablePublisher.flush}.
 */
export async function publishRoutingTable(
  options: RoutingTablePublisherOptions,
): Promise<RoutingTablePublisher> {
  const prefix = options.prefix ?? 'pm:router:';
  let written = -1;
  let writing: Promise<void> = Promise.resolve();
  let scheduled = false;

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
  const stop = options.table.onChange(() => {
    if (scheduled) return;
    scheduled = true;
    queueMicrotask(() => {
      scheduled = false;
      flush().catch((error: unknown) =>
        options.logger?.warn({ err: error }, 'routing table not published; retried with the next change'),
      );
    });
  });
  await flush();
  return {
    flush,
    async close() {
      stop();
      await flush();
    },
  };
}
