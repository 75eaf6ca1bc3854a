import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { PaasmakerNode } from '@paasmaker/core';
import nodeRuntime from '@paasmaker/plugin-runtime-node';
import gitScm from '@paasmaker/plugin-scm-git';
import { nginxSettings, redisServer } from '@paasmaker/test-servers';
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

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

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
    const routingRedis = `redis://127.0.0.1:${redisPort}`;
    const pacemakerData = await temp.make();
    pacemaker = await startNode(
      {
        name: `pm-confirm-${randomBytes(3).toString('hex')}`,
        dataFolder: pacemakerData,
        roles: {
          pacemaker: {
            superToken: newToken(),
            nodeToken: newToken(),
            api: { port: 0 },
            routingTable: routingRedis,
            routerConfirmMs: 2000,
            drainMs: 0,
          },
          heart: { stopInstancesOnClose: true, ports: { min: 65_200, max: 65_299 } },
        },
      },
      [nodeRuntime, { plugin: gitScm, options: { cacheDirectory: path.join(pacemakerData, 'git-cache') } }],
    );
    const { bin, modulesDir } = nginxSettings();
    router = await startNode({
      name: 'nginx-router-confirm',
      dataFolder: await temp.make(),
      roles: {
        router: { port: 0, nginx: { redis: routingRedis, binary: bin, modulesDirectory: modulesDir } },
      },
    });
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
