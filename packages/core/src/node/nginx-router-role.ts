// The node side of the nginx router: the pacemaker publishing its table, and a node running nginx.
import path from 'node:path';
import type { Logger } from 'pino';
import { requireDriver } from '../drivers/require-driver';
import { PaasmakerError } from '../kernel/errors';
import {
  publishRoutingTable,
  type RoutingTablePublisher,
} from '../roles/router/nginx/redis-routing-publisher';
import { type NginxRouter, startNginxRouter } from '../roles/router/nginx/start-nginx-router';
import type { RoutingTable } from '../roles/router/routing-table';
import { freePort } from './free-port';
import type { Closer } from './node-closers';
import type { NginxRouterRoleConfig, RouterRoleConfig } from './node-config-schema';

/**
 * Publishes the pacemaker's routing table to the Redis nginx routers read (`redisUrl`), for as
 * long as the node runs; the publisher also says when the routers serve it (`confirm()`).
 */
export async function startRoutingTablePublisher(
  table: RoutingTable,
  redisUrl: string,
  logger: Logger,
  closers: Closer[],
): Promise<RoutingTablePublisher> {
  const { Redis } = requireDriver('ioredis', 'publishing the routing table to nginx routers');
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 2 });
  // The publisher reports what fails (and retries); a Redis that is away is not an uncaught error.
  redis.on('error', (error) => logger.debug({ err: error }, 'routing table Redis'));
  closers.push({ name: 'routing table Redis', close: async () => void redis.disconnect() });
  const publisher = await publishRoutingTable({ table, redis, logger });
  closers.push({ name: 'routing table publisher', close: () => publisher.close() });
  logger.info('routing table published to Redis for nginx routers');
  return publisher;
}

/**
 * Starts nginx as this node's router, reading the routing table from `nginx.redis`; nginx is
 * started again when it exits unexpectedly, for as long as the node runs.
 */
export async function startNginxRouterRole(
  router: RouterRoleConfig & { nginx: NginxRouterRoleConfig },
  dataFolder: string,
  logger: Logger,
  closers: Closer[],
): Promise<NginxRouter> {
  const redis = new URL(router.nginx.redis);
  const db = /^\/?(\d{0,5})\/?$/.exec(redis.pathname)?.[1];
  if (db === undefined)
    throw new PaasmakerError(
      'E_NODE_START',
      `roles.router.nginx.redis ${router.nginx.redis}: after the port, only a database number (/<n>) may follow.`,
    );
  const started = await startNginxRouter({
    folder: path.join(dataFolder, 'nginx-router'),
    host: router.host,
    port: router.port || (await freePort(router.host)),
    // The database of `redis://host:port/<db>`, as ioredis (the publisher) reads the same URL.
    redis: { host: redis.hostname, port: Number(redis.port || 6379), db: Number(db || 0) },
    nginxBinary: router.nginx.binary,
    modulesDirectory: router.nginx.modulesDirectory,
    workerProcesses: router.nginx.workerProcesses,
    logger: logger.child({ component: 'nginx-router' }),
  });
  closers.push({ name: 'nginx router', close: () => started.close() });
  logger.info({ url: started.url }, 'nginx router listening');
  return started;
}
