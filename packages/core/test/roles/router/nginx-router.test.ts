import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import { type AddressInfo, connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { nginxSettings, redisUrl } from '@paasmaker/test-servers';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../../src/node/free-port';
import {
  type NginxRouter,
  publishRoutingTable,
  RedisRouterStatsStore,
  type RouterStatsKind,
  RoutingTable,
  type RoutingTablePublisher,
  readRouterStatsSeries,
  startNginxRouter,
} from '../../../src/roles/router/index';
import { type Backend, closedPort, type Reply, routeTo, send, startBackend } from './router-fixture';

/** A backend that answers 426 to plain requests and echoes raw bytes after an `Upgrade: echo`. */
async function startUpgradeBackend(): Promise<Backend> {
  const server = createServer((_request, response) => response.writeHead(426).end());
  server.on('upgrade', (_request, socket: Socket) => {
    socket.write('HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\n');
    socket.pipe(socket);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    name: 'upgrade',
    port: (server.address() as AddressInfo).port,
    hits: 0,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Sends until `check` passes: the router reads a new table within its refresh interval (0.2 s here). */
async function eventually(request: () => Promise<Reply>, check: (reply: Reply) => boolean): Promise<Reply> {
  const started = Date.now();
  for (;;) {
    const reply = await request();
    if (check(reply) || Date.now() - started > 5_000) return reply;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('the nginx router, on real nginx + Lua and Redis', () => {
  const prefix = `pm:router:test-${process.pid}:`;
  let folder: string;
  let redis: Redis;
  let table: RoutingTable;
  let publisher: RoutingTablePublisher;
  let router: NginxRouter;
  let port: number;
  const backends: Backend[] = [];
  const backend = async (name: string) => {
    const started = await startBackend(name);
    backends.push(started);
    return started;
  };
  const get = (host: string | null, pathname = '/') => send({ port }, { host, path: pathname });

  beforeAll(async () => {
    folder = await mkdtemp(path.join(tmpdir(), 'pm-nginx-router-'));
    redis = new Redis(redisUrl());
    table = new RoutingTable();
    publisher = await publishRoutingTable({ table, redis, prefix });
    const { hostname, port: redisPort } = new URL(redisUrl());
    port = await freePort('127.0.0.1');
    const { bin, modulesDir } = nginxSettings();
    router = await startNginxRouter({
      folder,
      port,
      nginxBinary: bin,
      modulesDirectory: modulesDir,
      redis: { host: hostname, port: Number(redisPort), prefix },
      refreshSeconds: 0.1,
    });
  });
  afterAll(async () => {
    await router?.close();
    await publisher?.close();
    for (const started of backends) await started.close();
    await redis?.quit();
    process.stdout.write(
      require('node:fs').readFileSync(path.join(folder, 'error.log'), 'utf8').slice(-3000),
    );
    await rm(folder, { recursive: true, force: true });
  });

  it('answers 400 without Host, 404 for an unknown host and 503 for a known host with no instances', async () => {
    table.addHostname('empty.test');
    expect((await get(null)).status).toBe(400);
    expect((await get('unknown.test')).status).toBe(404);
    expect(
      (
        await eventually(
          () => get('empty.test'),
          (r) => r.status === 503,
        )
      ).status,
    ).toBe(503);
  });

  it('routes by exact hostname, one wildcard level, and a Host with a port', async () => {
    const exact = await backend('exact');
    const wild = await backend('wild');
    table.add('foo.test', routeTo('exact', exact.port));
    table.add('*.foo.test', routeTo('wild', wild.port));
    const viaExact = await eventually(
      () => get('foo.test', '/hello?x=1'),
      (r) => r.status === 200,
    );
    expect(JSON.parse(viaExact.text)).toMatchObject({ name: 'exact', url: '/hello?x=1' });
    expect(JSON.parse((await get('FOO.test:1000')).text).name).toBe('exact');
    expect(
      JSON.parse(
        (
          await eventually(
            () => get('www.foo.test'),
            (r) => r.status === 200,
          )
        ).text,
      ).name,
    ).toBe('wild');
    expect((await get('a.b.foo.test')).status).toBe(404);
  });

  it('spreads requests over the instances at random', async () => {
    const one = await backend('one');
    const two = await backend('two');
    table.add('spread.test', routeTo('one', one.port));
    table.add('spread.test', routeTo('two', two.port));
    await eventually(
      () => get('spread.test'),
      (r) => r.status === 200 && one.hits + two.hits > 0,
    );
    const before = one.hits + two.hits;
    for (let i = 0; i < 100; i += 1) expect((await get('spread.test')).status).toBe(200);
    expect(one.hits + two.hits - before).toBe(100);
    expect(one.hits).toBeGreaterThan(10);
    expect(two.hits).toBeGreaterThan(10);
  });

  it('sets X-Forwarded-* and keeps Host', async () => {
    const echo = await backend('echo');
    table.add('fwd.test', routeTo('echo', echo.port));
    await eventually(
      () => get('fwd.test'),
      (r) => r.status === 200,
    );
    const reply = await send(
      { port },
      { host: 'fwd.test:8080', headers: { 'x-forwarded-for': '203.0.113.9' } },
    );
    const seen = JSON.parse(reply.text).headers as Record<string, string>;
    expect(seen).toMatchObject({
      host: 'fwd.test:8080',
      'x-forwarded-for': '203.0.113.9, 127.0.0.1',
      'x-forwarded-host': 'fwd.test:8080',
      'x-forwarded-port': String(port),
      'x-forwarded-proto': 'http',
    });
  });

  it('passes a large request body to the instance whole', async () => {
    const digest = await backend('big');
    table.add('big.test', routeTo('big', digest.port));
    await eventually(
      () => get('big.test'),
      (r) => r.status === 200,
    );
    const body = randomBytes(8 * 1024 * 1024);
    const reply = await send({ port }, { host: 'big.test', path: '/digest', method: 'POST', body });
    expect(reply.status).toBe(200);
    expect(JSON.parse(reply.text)).toEqual({
      bytes: body.length,
      sha256: createHash('sha256').update(body).digest('hex'),
    });
  });

  it('applies table changes without a restart, down to 503 and 404', async () => {
    const first = await backend('first');
    const second = await backend('second');
    table.add('live.test', routeTo('first', first.port));
    expect(
      JSON.parse(
        (
          await eventually(
            () => get('live.test'),
            (r) => r.status === 200,
          )
        ).text,
      ).name,
    ).toBe('first');
    table.add('live.test', routeTo('second', second.port));
    table.remove('live.test', 'first');
    const switched = await eventually(
      () => get('live.test'),
      (r) => r.text.includes('"second"'),
    );
    expect(JSON.parse(switched.text).name).toBe('second');
    table.removeInstance('second');
    expect(
      (
        await eventually(
          () => get('live.test'),
          (r) => r.status === 503,
        )
      ).status,
    ).toBe(503);
    table.removeHostname('live.test');
    expect(
      (
        await eventually(
          () => get('live.test'),
          (r) => r.status === 404,
        )
      ).status,
    ).toBe(404);
  });

  it('retries another instance when one refuses the connection', async () => {
    const alive = await backend('alive');
    table.add('retry.test', routeTo('gone', await closedPort()));
    table.add('retry.test', routeTo('alive', alive.port));
    await eventually(
      () => get('retry.test'),
      (r) => r.status === 200,
    );
    for (let i = 0; i < 30; i += 1) expect((await get('retry.test')).status).toBe(200);
  });

  it('passes websockets through', async () => {
    const upgraded = await startUpgradeBackend();
    backends.push(upgraded);
    table.add('ws.test', routeTo('ws', upgraded.port));
    await eventually(
      () => get('ws.test'),
      (r) => r.status === 426,
    );
    const socket = connect(port, '127.0.0.1');
    socket.write('GET /chat HTTP/1.1\r\nHost: ws.test\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\n');
    let received = '';
    socket.on('data', (chunk) => {
      received += chunk.toString();
      if (received.includes('\r\n\r\n') && !received.includes('ping')) socket.write('ping');
    });
    const started = Date.now();
    while (!received.includes('ping') && Date.now() - started < 5_000)
      await new Promise((resolve) => setTimeout(resolve, 20));
    socket.destroy();
    expect(received).toMatch(/^HTTP\/1.1 101 /);
    expect(received.endsWith('ping')).toBe(true);
  });

  it('adds request counts to Redis per version type, node and instance, in batches', async () => {
    const counted = await backend('counted');
    table.add('stats.test', routeTo('counted-1', counted.port, 'vt-stats', 'node-stats'));
    await eventually(
      () => get('stats.test'),
      (r) => r.status === 200,
    );
    // One request reached the instance above; twenty more now.
    for (let i = 0; i < 20; i += 1) await get('stats.test');
    const store = new RedisRouterStatsStore({ redis, prefix });
    const totals = async (kind: RouterStatsKind, key: string) =>
      (await readRouterStatsSeries(store, kind, [key], 5)).totals;
    const started = Date.now();
    let stats = await totals('instance', 'counted-1');
    while (Date.now() - started < 5_000) {
      stats = await totals('instance', 'counted-1');
      if (stats.requests >= 21) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(stats.requests).toBe(21);
    expect(stats['2xx']).toBe(stats.requests);
    expect(stats.timeCount).toBe(stats.requests);
    expect(stats.bytes).toBeGreaterThan(0);
    expect((await totals('versionType', 'vt-stats')).requests).toBe(stats.requests);
    expect((await totals('node', 'node-stats')).requests).toBe(stats.requests);
  });
});
