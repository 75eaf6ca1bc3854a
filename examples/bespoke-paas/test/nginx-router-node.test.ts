import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { PaasmakerNode } from '@paasmaker/core';
import nodeRuntime from '@paasmaker/plugin-runtime-node';
import gitScm from '@paasmaker/plugin-scm-git';
import { nginxSettings, redisUrl } from '@paasmaker/test-servers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deployFromGit } from '../src/bespoke-paas';
import { gitRepo, hostnameOf, httpGet, newToken, startNode, TempFolders } from './paas-test-helpers';

// A pacemaker + heart node publishing its routing table to Redis, and a router-only node running
// nginx that reads it: the cluster's routing path, on one machine.
describe('a router-only node running nginx', () => {
  const temp = new TempFolders();
  let pacemaker: PaasmakerNode;
  let router: PaasmakerNode;

  beforeAll(async () => {
    const pacemakerData = await temp.make();
    pacemaker = await startNode(
      {
        name: `pm-nginx-${randomBytes(3).toString('hex')}`,
        dataFolder: pacemakerData,
        roles: {
          pacemaker: {
            superToken: newToken(),
            nodeToken: newToken(),
            api: { port: 0 },
            routingTable: redisUrl(),
          },
          heart: { stopInstancesOnClose: true, ports: { min: 65_300, max: 65_399 } },
        },
      },
      [nodeRuntime, { plugin: gitScm, options: { cacheDirectory: path.join(pacemakerData, 'git-cache') } }],
    );
    const { bin, modulesDir } = nginxSettings();
    router = await startNode({
      name: 'nginx-router',
      dataFolder: await temp.make(),
      roles: { router: { port: 0, nginx: { redis: redisUrl(), binary: bin, modulesDirectory: modulesDir } } },
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
});
