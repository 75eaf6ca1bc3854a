import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { nginxSettings, redisServer } from '@paasmaker/test-servers';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isPaasmakerError } from '../../../src/kernel/errors';
import { freePort } from '../../../src/node/free-port';
import {
  type NginxRouter,
  publishRoutingTable,
  RedisRouterStatsStore,
  RoutingTable,
  type RoutingTablePublisher,
  readRouterStatsSeries,
  routingTableText,
  startNginxRouter,
  UNCAUGHT_KEY,
} from '../../../src/roles/router/index';
import { type Backend, routeTo, send, startBackend } from './router-fixture';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Sends requests for `host` one after another until stopped; counts the answers that were not 200. */
function traffic(port: number, host: string) {
  let running = true;
  const seen = { requests: 0, failed: 0, statuses: {} as Record<number, number>, lastFailureAt: 0 };
  const done = (async () => {
    while (running) {
      const { status } = await send({ port }, { host }).catch(() => ({ status: 0 }));
      seen.requests += 1;
      seen.statuses[status] = (seen.statuses[status] ?? 0) + 1;
      if (status !== 200) {
        seen.failed += 1;
        seen.lastFailureAt = Date.now();
      }
      await pause(5);
    }
  })();
  return {
    seen,
    async stop() {
      running = false;
      await done;
      return seen;
    },
  };
}

async function until(check: () => Promise<boolean> | boolean, ms = 10_000): Promise<void> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > ms) throw new Error('timed out');
    await pause(50);
  }
}

// The routing table's own Redis, stopped and restarted by the tests (the shared one stays up).
describe('nginx routers confirm the table they serve; a lost or rolled-back table is published again', () => {
  const prefix = 'pm:router:';
  let folder: string;
  let redisPort: number;
  let redisStop: (() => Promise<void>) | undefined;
  let redis: Redis;
  let table: RoutingTable;
  let publisher: RoutingTablePublisher;
  const routers: NginxRouter[] = [];
  let port: number;
  let backend: Backend;

  const startRedis = async () => {
    redisStop = (await redisServer.start({ dataDir: folder, port: redisPort })).stop;
  };
  const startNginx = async (name: string) => {
    const { bin, modulesDir } = nginxSettings();
    const routerPort = await freePort('127.0.0.1');
    const router = await startNginxRouter({
      folder: path.join(folder, name),
      port: routerPort,
      name,
      nginxBinary: bin,
      modulesDirectory: modulesDir,
      redis: { host: '127.0.0.1', port: redisPort, prefix },
      refreshSeconds: 0.1,
      workerProcesses: 2,
    });
    routers.push(router);
    return routerPort;
  };

  beforeAll(async () => {
    folder = await mkdtemp(path.join(tmpdir(), 'pm-nginx-confirm-'));
    redisPort = await freePort('127.0.0.1');
    await startRedis();
    redis = new Redis({ port: redisPort, maxRetriesPerRequest: 1, retryStrategy: () => 100 });
    redis.on('error', () => undefined);
    table = new RoutingTable();
    backend = await startBackend('one');
    port = await startNginx('first');
  });
  afterAll(async () => {
    for (const router of routers) await router.close();
    await publisher?.close();
    await backend?.close();
    redis?.disconnect();
    await redisStop?.();
    await rm(folder, { recursive: true, force: true });
  });

  it('answers 500 before it has any table, and counts every answer in its stats', async () => {
    expect((await send({ port }, { host: 'any.test' })).status).toBe(500);
    publisher = await publishRoutingTable({ table, redis, prefix, retryMs: 200 });
    table.addHostname('known.test');
    await publisher.confirm();
    await until(async () => (await send({ port }, { host: 'known.test' })).status === 503);
    expect((await send({ port }, { host: 'unknown.test' })).status).toBe(404);
    expect((await send({ port }, { host: null })).status).toBe(400);
    const store = new RedisRouterStatsStore({ redis, prefix });
    const uncaught = async () => (await readRouterStatsSeries(store, 'uncaught', [UNCAUGHT_KEY], 5)).totals;
    await until(async () => (await uncaught())['4xx'] >= 2);
    const counted = await uncaught();
    expect(counted['5xx']).toBeGreaterThanOrEqual(2);
    expect(counted.requests).toBe(counted['4xx'] + counted['5xx']);
    // 400 no Host, 404 unknown host and 500 no table are no route; 503 no instances is no backend.
    expect(counted.noRoute).toBe(counted.requests - counted.noBackend);
    expect(counted.noBackend).toBeGreaterThanOrEqual(1);
  });

  it('reports the serial every worker holds; confirm() resolves once all hold the change', async () => {
    await until(() => Object.keys(publisher.routers()).length === 2);
    table.add('app.test', routeTo('one', backend.port));
    const serial = await publisher.confirm({ timeoutMs: 5000 });
    expect(Object.values(publisher.routers()).every((held) => held >= serial)).toBe(true);
    // Both workers hold it: every request is served at once, without waiting.
    for (let i = 0; i < 20; i += 1) expect((await send({ port }, { host: 'app.test' })).status).toBe(200);
  });

  it('fails to confirm while the routing Redis is down (E_ROUTER_UNCONFIRMED), and routers keep serving', async () => {
    const load = traffic(port, 'app.test');
    await redisStop?.();
    table.addHostname('later.test');
    const failed = await publisher.confirm({ timeoutMs: 1000 }).catch((error: unknown) => error);
    expect(isPaasmakerError(failed, 'E_ROUTER_UNCONFIRMED')).toBe(true);
    const seen = await load.stop();
    expect(seen.failed).toBe(0);
    console.log(`[measure] routing Redis down: ${seen.requests} requests, ${seen.failed} failed`);
  });

  it('a worker nginx respawns while Redis is down serves the table the others hold', async () => {
    const master = routers[0]?.pid ?? expect.unreachable();
    const workers = () =>
      readFile(`/proc/${master}/task/${master}/children`, 'utf8').then((text) =>
        text.split(' ').filter(Boolean).map(Number),
      );
    const [victim, other] = await workers();
    expect(other).toBeDefined();
    process.kill(victim ?? expect.unreachable(), 'SIGKILL');
    await until(async () => {
      const now = await workers();
      return now.length === 2 && !now.includes(victim ?? 0);
    });
    // Connections spread over both workers' sockets (reuseport): about half reach the new one.
    const statuses: Record<number, number> = {};
    for (let i = 0; i < 40; i += 1) {
      const { status } = await send({ port }, { host: 'app.test' });
      statuses[status] = (statuses[status] ?? 0) + 1;
    }
    expect(statuses).toEqual({ 200: 40 });
  });

  it('publishes the table again when Redis restarts empty; a respawned worker and a new router serve it', async () => {
    const load = traffic(port, 'app.test');
    const restarted = Date.now();
    await startRedis();
    // A worker that starts now (nginx respawns a crashed one) has only what Redis holds.
    const master = routers[0]?.pid ?? expect.unreachable();
    const [worker] = (await readFile(`/proc/${master}/task/${master}/children`, 'utf8')).split(' ');
    process.kill(Number(worker), 'SIGKILL');
    const second = await startNginx('second');
    await until(async () => (await send({ port: second }, { host: 'app.test' })).status === 200);
    const recovered = Date.now() - restarted;
    await until(async () => (await redis.get(`${prefix}table`)) === routingTableText(table));
    await pause(500);
    const seen = await load.stop();
    expect(await redis.exists(`${prefix}serial`)).toBe(1);
    console.log(
      `[measure] Redis restarted empty: a new router served after ${recovered} ms; through the first router ${seen.requests} requests, ${seen.failed} failed ${JSON.stringify(seen.statuses)}, last failure ${seen.lastFailureAt ? seen.lastFailureAt - restarted : '-'} ms after the restart`,
    );
  });

  it('keeps the newer table when Redis goes back to an older one, and publishes it again', async () => {
    const published = await publisher.confirm({ timeoutMs: 5000 });
    const load = traffic(port, 'app.test');
    const rolledBack = Date.now();
    // What an older snapshot holds: a table from before app.test, under a lower serial.
    await redis
      .multi()
      .set(`${prefix}table`, 'known.test\n')
      .set(`${prefix}serial`, String(published - 50))
      .exec();
    await until(async () => Number(await redis.get(`${prefix}serial`)) > published);
    const republished = Date.now() - rolledBack;
    expect(await redis.get(`${prefix}table`)).toBe(routingTableText(table));
    await pause(500);
    const seen = await load.stop();
    expect(seen.failed).toBe(0);
    console.log(
      `[measure] older snapshot: republished after ${republished} ms; ${seen.requests} requests, ${seen.failed} failed`,
    );
  });
});
