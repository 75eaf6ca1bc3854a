import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { PaasmakerNode } from '@paasmaker/core';
import nodeRuntime from '@paasmaker/plugin-runtime-node';
import gitScm from '@paasmaker/plugin-scm-git';
import { eventually, nginxSettings, redisUrl } from '@paasmaker/test-servers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deployFromGit } from '../src/bespoke-paas';
import { apiRequester } from './api-request';
import {
  expectCountedOk,
  gitRepo,
  hostnameOf,
  httpGet,
  newToken,
  startNode,
  TempFolders,
} from './paas-test-helpers';
import { RequestStream } from './request-stream';

/** The pids of `pid`'s children (nginx's workers, for its master). */
async function childrenOf(pid: number): Promise<number[]> {
  const text = await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8').catch(() => '');
  return text.split(' ').filter(Boolean).map(Number);
}

/** The pid nginx recorded for its master, if the file is there. */
async function masterPid(routerData: string): Promise<number | undefined> {
  const text = await readFile(path.join(routerData, 'nginx-router', 'nginx.pid'), 'utf8').catch(() => '');
  return Number(text.trim()) || undefined;
}

// A pacemaker + heart node publishing its routing table to Redis, and a router-only node running
// nginx that reads it: the cluster's routing path, on one machine. The table lives in database 1
// of the shared test Redis (the URL's `/1`, which publisher and nginx must both honour), apart from
// the cluster example's, which uses database 0.
const routingRedis = () => `${redisUrl()}/1`;
describe('a router-only node running nginx', () => {
  const temp = new TempFolders();
  let pacemaker: PaasmakerNode;
  let router: PaasmakerNode;
  let routerData: string;
  const superToken = newToken();

  beforeAll(async () => {
    const pacemakerData = await temp.make();
    pacemaker = await startNode(
      {
        name: `pm-nginx-${randomBytes(3).toString('hex')}`,
        dataFolder: pacemakerData,
        roles: {
          pacemaker: {
            superToken,
            nodeToken: newToken(),
            api: { port: 0 },
            routingTable: routingRedis(),
          },
          heart: { stopInstancesOnClose: true, ports: { min: 65_300, max: 65_399 } },
        },
      },
      [nodeRuntime, { plugin: gitScm, options: { cacheDirectory: path.join(pacemakerData, 'git-cache') } }],
    );
    const { bin, modulesDir } = nginxSettings();
    routerData = await temp.make();
    router = await startNode({
      name: 'nginx-router',
      dataFolder: routerData,
      roles: {
        router: { port: 0, nginx: { redis: routingRedis(), binary: bin, modulesDirectory: modulesDir } },
      },
    });
  });
  afterAll(async () => {
    await router?.close();
    await pacemaker?.close();
    await temp.removeAll();
  });

  it('routes the deployed app through nginx, and follows a new version', async () => {
    expect(pacemaker.router).toBeUndefined();
    const port = Number(new URL(router.nginxRouter?.url ?? expect.unreachable()).port);
    const repo = await gitRepo(temp);
    await deployFromGit(pacemaker, repo);
    const answer = async (text: string) => {
      const started = Date.now();
      for (;;) {
        const reply = await httpGet(port, hostnameOf('hello-node'));
        if (reply.body === text || Date.now() - started > 5_000) return reply;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    };
    expect(await answer('Hello from hello-node version 1\n')).toEqual({
      status: 200,
      body: 'Hello from hello-node version 1\n',
    });
    await deployFromGit(pacemaker, repo);
    expect((await answer('Hello from hello-node version 2\n')).body).toBe(
      'Hello from hello-node version 2\n',
    );
    expect((await httpGet(port, 'nothing.paasmaker.localhost')).status).toBe(404);
  });

  it("serves the nginx router's stats for the app from the pacemaker API (the routing table's Redis)", async () => {
    const port = Number(new URL(router.nginxRouter?.url ?? expect.unreachable()).port);
    const model = pacemaker.pacemaker?.model ?? expect.unreachable();
    const [application] = (await model.applications.list()).filter((app) => app.name === 'hello-node');
    const api = apiRequester(pacemaker.pacemaker?.url ?? expect.unreachable(), superToken);
    const totals = async () =>
      (await api('GET', `/stats/applications/${application?.id}?minutes=60`)).body.data.totals;
    const before = (await totals()).requests;
    for (let i = 0; i < 5; i += 1) expect((await httpGet(port, hostnameOf('hello-node'))).status).toBe(200);
    await expectCountedOk(totals, before + 5);
  });

  it('starts nginx again when its master and workers are killed, serving the same table', async () => {
    const port = Number(new URL(router.nginxRouter?.url ?? expect.unreachable()).port);
    const v2 = 'Hello from hello-node version 2\n';
    const stream = new RequestStream(port, hostnameOf('hello-node'), (body) => body === v2);
    await eventually(() => expect(stream.results.filter((r) => r.ok).length).toBeGreaterThan(10), {
      timeout: 10_000,
    });
    expect(stream.failedBetween()).toEqual([]);

    const master = (await masterPid(routerData)) ?? expect.unreachable();
    const workers = await childrenOf(master);
    expect(workers.length).toBeGreaterThan(0);
    const killedAt = Date.now();
    for (const pid of [master, ...workers]) process.kill(pid, 'SIGKILL');

    // Back by itself: a new master, whose workers loaded the table from Redis.
    await eventually(
      async () => {
        const now = await masterPid(routerData);
        expect(now !== undefined && now !== master).toBe(true);
        const since = stream.results.filter((r) => r.at > killedAt);
        expect(since.length).toBeGreaterThan(20);
        expect(since.slice(-20).every((r) => r.ok)).toBe(true);
      },
      { timeout: 60_000, interval: 100 },
    );
    await stream.stop();
    const lastFailure = stream.failedBetween(killedAt).at(-1)?.at ?? killedAt;
    const recoveredAt = stream.results.find((r) => r.at > lastFailure && r.ok)?.at ?? expect.unreachable();
    expect(router.nginxRouter?.restarts).toBe(1);
    expect(await httpGet(port, 'nothing.paasmaker.localhost')).toMatchObject({ status: 404 });
    console.log(
      `[measure] nginx router master and ${workers.length} worker(s) killed -9: answering again in ${recoveredAt - killedAt} ms; ${stream.failedBetween(killedAt).length} of ${stream.sentSince(killedAt)} requests failed (${stream.summary(killedAt)})`,
    );
  }, 120_000);
});
