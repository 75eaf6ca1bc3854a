import { once } from 'node:events';
import { connect, createServer, type Socket } from 'node:net';
import { redisUrl } from '@paasmaker/test-servers';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { isPaasmakerError } from '../../../src/kernel/errors';
import { publishRoutingTable, RoutingTable, routingTableText } from '../../../src/roles/router/index';
import { closedPort, routeTo } from './router-fixture';

/** A TCP proxy on `port` to the test Redis: Redis "arriving" on a port a client already tries. */
async function redisProxy(port: number) {
  const target = new URL(redisUrl());
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(Number(target.port), target.hostname);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => undefined);
    }
    client.pipe(upstream).pipe(client);
  });
  server.listen(port, '127.0.0.1');
  await once(server, 'listening');
  return {
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

describe('publishing the routing table to Redis', () => {
  const cleanups: (() => Promise<unknown> | unknown)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  const prefix = () => `pm:router:publisher-${Math.random().toString(36).slice(2)}:`;

  it('writes the table and a new serial on every change, once per tick', async () => {
    const redis = new Redis(redisUrl());
    cleanups.push(() => redis.quit());
    const table = new RoutingTable();
    const keys = prefix();
    const publisher = await publishRoutingTable({ table, redis, prefix: keys });
    cleanups.push(() => publisher.close());
    const first = Number(await redis.get(`${keys}serial`));
    const publishing = redis as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
    const publish = publishing.paasmakerPublishRoutingTable?.bind(redis);
    let writes = 0;
    publishing.paasmakerPublishRoutingTable = (...args) => {
      writes += 1;
      return publish?.(...args) ?? Promise.reject(new Error('no publish script'));
    };
    table.add('a.test', routeTo('one', 4001));
    table.add('a.test', routeTo('two', 4002));
    table.addHostname('empty.test');
    const serial = await publisher.flush();
    expect(writes).toBe(1);
    expect(serial).toBeGreaterThan(first);
    expect(Number(await redis.get(`${keys}serial`))).toBe(serial);
    expect(await redis.get(`${keys}table`)).toBe(routingTableText(table));
    expect(routingTableText(table)).toBe(
      'a.test\tone 127.0.0.1 4001 vt-1 node-1\ttwo 127.0.0.1 4002 vt-1 node-1\nempty.test\n',
    );
  });

  it('publishes the table once Redis comes, when it was away at the start and at a change', async () => {
    const port = await closedPort();
    // ioredis itself neither queues nor resends here: only the publisher's own retry can succeed.
    const redis = new Redis({ host: '127.0.0.1', port, enableOfflineQueue: false, retryStrategy: () => 50 });
    redis.on('error', () => undefined);
    cleanups.push(() => redis.disconnect());
    const direct = new Redis(redisUrl());
    cleanups.push(() => direct.quit());
    const table = new RoutingTable();
    const keys = prefix();
    const publisher = await publishRoutingTable({ table, redis, prefix: keys, retryMs: 100 });
    cleanups.push(() => publisher.close());
    table.add('later.test', routeTo('later', 4003));
    const failed = await publisher.flush().catch((error: unknown) => error);
    expect(isPaasmakerError(failed, 'E_ROUTER_UNAVAILABLE')).toBe(true);

    const proxy = await redisProxy(port);
    cleanups.push(() => proxy.close());
    const started = Date.now();
    while ((await direct.get(`${keys}table`)) === null && Date.now() - started < 5_000)
      await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await direct.get(`${keys}table`)).toBe(routingTableText(table));
    expect(Number(await direct.get(`${keys}serial`))).toBeGreaterThan(0);
  });
});
