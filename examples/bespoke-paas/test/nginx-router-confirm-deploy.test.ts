import { randomBytes } from 'node:crypto';
import { copyFile, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { PaasmakerNode } from '@paasmaker/core';
import nodeRuntime from '@paasmaker/plugin-runtime-node';
import gitScm from '@paasmaker/plugin-scm-git';
import { eventually, nginxSettings, redisServer } from '@paasmaker/test-servers';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deployFromGit } from '../src/bespoke-paas';
import {
  freePort,
  gitRepo,
  hostnameOf,
  httpGet,
  newToken,
  startNode,
  TempFolders,
} from './paas-test-helpers';
import { RequestStream } from './request-stream';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A pacemaker + heart publishing its routing table to `routingRedis` (a Redis of the test's own),
 * and a router node running nginx that reads it.
 */
async function startPacemakerAndRouter(
  temp: TempFolders,
  routingRedis: string,
  routerConfirmMs: number,
): Promise<{ pacemaker: PaasmakerNode; router: PaasmakerNode }> {
  const pacemakerData = await temp.make();
  const pacemaker = await startNode(
    {
      name: `pm-confirm-${randomBytes(3).toString('hex')}`,
      dataFolder: pacemakerData,
      roles: {
        pacemaker: {
          superToken: newToken(),
          nodeToken: newToken(),
          api: { port: 0 },
          routingTable: routingRedis,
          routerConfirmMs,
          drainMs: 0,
        },
        heart: { stopInstancesOnClose: true, ports: { min: 65_200, max: 65_299 } },
      },
    },
    [nodeRuntime, { plugin: gitScm, options: { cacheDirectory: path.join(pacemakerData, 'git-cache') } }],
  );
  const { bin, modulesDir } = nginxSettings();
  const router = await startNode({
    name: `nginx-router-${randomBytes(3).toString('hex')}`,
    dataFolder: await temp.make(),
    roles: {
      router: { port: 0, nginx: { redis: routingRedis, binary: bin, modulesDirectory: modulesDir } },
    },
  });
  return { pacemaker, router };
}

// A deploy through nginx routers whose routing Redis goes away in the middle: the switch must not
// be reported done (nor the old version stopped) while the routers cannot learn of it.
describe('a deploy while the routing Redis is down', () => {
  const temp = new TempFolders();
  let pacemaker: PaasmakerNode;
  let router: PaasmakerNode;
  let stopRedis: (() => Promise<void>) | undefined;
  let redisFolder: string;
  let redisPort: number;

  beforeAll(async () => {
    redisFolder = await temp.make();
    redisPort = await freePort();
    stopRedis = (await redisServer.start({ dataDir: redisFolder, port: redisPort })).stop;
    ({ pacemaker, router } = await startPacemakerAndRouter(temp, `redis://127.0.0.1:${redisPort}`, 2000));
  });
  afterAll(async () => {
    await router?.close();
    await pacemaker?.close();
    await stopRedis?.();
    await temp.removeAll();
  });

  it('fails with E_ROUTER_UNCONFIRMED and the old version keeps serving; routers serve again after Redis restarts empty', async () => {
    const port = Number(new URL(router.nginxRouter?.url ?? expect.unreachable()).port);
    const repo = await gitRepo(temp);
    await deployFromGit(pacemaker, repo);
    const v1 = 'Hello from hello-node version 1\n';
    const started = Date.now();
    while ((await httpGet(port, hostnameOf('hello-node'))).body !== v1 && Date.now() - started < 10_000)
      await pause(50);

    let running = true;
    const seen = { requests: 0, failed: 0, other: 0 };
    const load = (async () => {
      while (running) {
        const reply = await httpGet(port, hostnameOf('hello-node')).catch(() => ({ status: 0, body: '' }));
        seen.requests += 1;
        if (reply.status !== 200) seen.failed += 1;
        else if (reply.body !== v1) seen.other += 1;
        await pause(10);
      }
    })();

    await stopRedis?.();
    stopRedis = undefined;
    const failure = await deployFromGit(pacemaker, repo).catch((error: Error) => error);
    expect(failure).toBeInstanceOf(Error);
    expect((failure as Error).message).toMatch(/E_ROUTER_UNCONFIRMED|did not confirm/);
    const model = pacemaker.pacemaker?.model ?? expect.unreachable();
    const app =
      (await model.applications.list()).find((a) => a.name === 'hello-node') ?? expect.unreachable();
    expect((await model.versions.current(app.id))?.number).toBe(1);
    await pause(1000);
    const duringOutage = { ...seen };

    const restarted = Date.now();
    stopRedis = (await redisServer.start({ dataDir: redisFolder, port: redisPort })).stop;
    // A router started now has only what Redis holds: it serves once the pacemaker published again.
    const { bin, modulesDir } = nginxSettings();
    const late = await startNode({
      name: 'nginx-router-late',
      dataFolder: await temp.make(),
      roles: {
        router: {
          port: 0,
          nginx: { redis: `redis://127.0.0.1:${redisPort}`, binary: bin, modulesDirectory: modulesDir },
        },
      },
    });
    const latePort = Number(new URL(late.nginxRouter?.url ?? expect.unreachable()).port);
    while ((await httpGet(latePort, hostnameOf('hello-node'))).body !== v1 && Date.now() - restarted < 15_000)
      await pause(50);
    const recoveredMs = Date.now() - restarted;
    const lateReply = await httpGet(latePort, hostnameOf('hello-node'));
    await late.close();
    running = false;
    await load;
    expect(lateReply).toEqual({ status: 200, body: v1 });
    expect(duringOutage.failed).toBe(0);
    expect(duringOutage.other).toBe(0);
    console.log(
      `[measure] deploy with the routing Redis down: ${duringOutage.requests} requests during the outage, ${duringOutage.failed} failed; after Redis restarted empty a new router served in ${recoveredMs} ms; overall ${seen.requests} requests, ${seen.failed} failed`,
    );
  }, 90_000);
});

// The routing Redis restarted from an older snapshot (an RDB file copied before a deploy): the
// routers must keep serving the newer table, never going back to a lower serial, and the
// pacemaker must notice the rolled-back table and publish the current one again.
describe('the routing Redis restarted from an older snapshot', () => {
  const temp = new TempFolders();
  let pacemaker: PaasmakerNode;
  let router: PaasmakerNode;
  let stopRedis: (() => Promise<void>) | undefined;
  let redisFolder: string;
  let redisPort: number;
  let redis: Redis;

  beforeAll(async () => {
    redisFolder = await temp.make();
    redisPort = await freePort();
    stopRedis = (await redisServer.start({ dataDir: redisFolder, port: redisPort })).stop;
    redis = new Redis({ port: redisPort, maxRetriesPerRequest: 1, retryStrategy: () => 100 });
    redis.on('error', () => undefined);
    ({ pacemaker, router } = await startPacemakerAndRouter(temp, `redis://127.0.0.1:${redisPort}`, 10_000));
  });
  afterAll(async () => {
    redis?.disconnect();
    await router?.close();
    await pacemaker?.close();
    await stopRedis?.();
    await temp.removeAll();
  });

  it('keeps routers on the newer table and republishes it', async () => {
    const port = Number(new URL(router.nginxRouter?.url ?? expect.unreachable()).port);
    const host = hostnameOf('hello-node');
    const repo = await gitRepo(temp);
    const v1 = 'Hello from hello-node version 1\n';
    const v2 = 'Hello from hello-node version 2\n';
    await deployFromGit(pacemaker, repo);
    await eventually(async () => expect((await httpGet(port, host)).body).toBe(v1), { timeout: 15_000 });

    // The snapshot: what Redis holds now (version 1's table), as the RDB file a restart would load.
    const olderSerial = Number(await redis.get('pm:router:serial'));
    await redis.save();
    await copyFile(path.join(redisFolder, 'dump.rdb'), path.join(redisFolder, 'older.rdb'));

    await deployFromGit(pacemaker, repo);
    await eventually(async () => expect((await httpGet(port, host)).body).toBe(v2), { timeout: 15_000 });
    const newerSerial = Number(await redis.get('pm:router:serial'));
    const newerTable = (await redis.get('pm:router:table')) ?? expect.unreachable();
    expect(newerSerial).toBeGreaterThan(olderSerial);

    const stream = new RequestStream(port, host, (body) => body === v2);
    await eventually(() => expect(stream.results.filter((r) => r.ok).length).toBeGreaterThan(10), {
      timeout: 10_000,
    });
    const faultAt = Date.now();
    await stopRedis?.();
    stopRedis = undefined;
    await copyFile(path.join(redisFolder, 'older.rdb'), path.join(redisFolder, 'dump.rdb'));
    stopRedis = (await redisServer.start({ dataDir: redisFolder, port: redisPort })).stop;
    const restartedAt = Date.now();
    // It did start from the snapshot (the first start had no RDB file to load).
    expect(await readFile(path.join(redisFolder, 'server.log'), 'utf8')).toMatch(/DB loaded from disk/);

    await eventually(
      async () => {
        expect(Number(await redis.get('pm:router:serial'))).toBeGreaterThan(newerSerial);
        expect(await redis.get('pm:router:table')).toBe(newerTable);
      },
      { timeout: 30_000, interval: 50 },
    );
    const republishedMs = Date.now() - restartedAt;
    // A while longer, through the routers' next refreshes of the republished table.
    await pause(2000);
    await stream.stop();
    expect(stream.failedBetween(faultAt)).toEqual([]);
    expect((await httpGet(port, host)).body).toBe(v2);
    console.log(
      `[measure] routing Redis restarted from an older snapshot (serial ${olderSerial} < ${newerSerial}): Redis held the newer table again ${republishedMs} ms after the restart; ${stream.failedBetween(faultAt).length} of ${stream.sentSince(faultAt)} requests failed (${stream.summary(faultAt)})`,
    );
  }, 120_000);
});
