// Where the pacemaker reads router stats, and the built-in router beside it adds them.
import type { Logger } from 'pino';
import { requireDriver } from '../drivers/require-driver';
import { MemoryRouterStatsStore } from '../roles/router/memory-router-stats-store';
import { RedisRouterStatsStore } from '../roles/router/redis-router-stats-store';
import type { RouterStatsStore } from '../roles/router/router-stats-store';
import type { Closer } from './node-closers';

/**
 * The pacemaker's router stats store: in the Redis its nginx routers read the routing table from
 * and write their stats to (`redisUrl`, the same as the publisher's), or, with none (the
 * embedded layout, whose built-in router lives in this process), in memory.
 */
export function openRouterStatsStore(
  redisUrl: string | undefined,
  logger: Logger,
  closers: Closer[],
): RouterStatsStore {
  if (!redisUrl) return new MemoryRouterStatsStore();
  const { Redis } = requireDriver('ioredis', 'reading router stats from Redis');
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 2 });
  // A read while Redis is away fails that request; the connection's own errors are only noise.
  redis.on('error', (error) => logger.debug({ err: error }, 'router stats Redis'));
  closers.push({ name: 'router stats Redis', close: async () => void redis.disconnect() });
  return new RedisRouterStatsStore({ redis });
}
