// The job Redis stopped for 30 s under load: a pacemaker (SQLite model, jobs on a Redis of this
// test's own, with an append-only file as a production Redis would have) and a heart on a node
// of its own. While Redis is down the app keeps serving, actions are refused at once with
// E_JOBS_UNAVAILABLE (503); once Redis is back, actions run again without restarting any node,
// and no job is left unfinished.
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { PaasmakerNode } from '@paasmaker/core';
import nodeRuntime from '@paasmaker/plugin-runtime-node';
import gitScm from '@paasmaker/plugin-scm-git';
import { pickFreePort, redisServer } from '@paasmaker/test-servers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiAnswer, apiRequester } from './api-request';
import {
  eventually,
  gitRepo,
  HELLO_NODE,
  hostnameOf,
  httpGet,
  instancePortBlock,
  killLeftovers,
  newToken,
  routerPort,
  startNode,
  TempFolders,
} from './paas-test-helpers';
import { SteadyLoad } from './steady-load';

const OUTAGE_MS = 30_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const plugins = (data: string) => [
  nodeRuntime,
  { plugin: gitScm, options: { cacheDirectory: path.join(data, 'git-cache') } },
];

describe('the job Redis stopped for 30 s under load', () => {
  const temp = new TempFolders();
  const suffix = Math.random().toString(16).slice(2, 8);
  const superToken = newToken();
  const nodeToken = newToken();
  let redisFolder: string;
  let redisPort: number;
  let stopRedis: (() => Promise<void>) | undefined;
  let pacemaker: PaasmakerNode;
  let heart: PaasmakerNode;
  let heartData: string;
  /** The in-flight work runs until this file exists: the test writes it once Redis is back. */
  let release: string;

  /** hello-node named `name` whose prepare command, or whose server's listen, waits for `release`. */
  const slowRepo = async (name: string, slow: 'prepare' | 'listen') => {
    let manifest = (await readFile(path.join(HELLO_NODE, 'manifest.yml'), 'utf8'))
      .replace('name: hello-node', `name: ${name}`)
      .replace('timeout: 20', 'timeout: 120');
    if (slow === 'prepare')
      manifest = manifest.replace(/- echo "built at .*"/, `- while [ ! -e ${release} ]; do sleep 0.2; done`);
    let server = await readFile(path.join(HELLO_NODE, 'server.js'), 'utf8');
    if (slow === 'listen')
      server = server.replace(
        'server.listen(',
        `(function listenOnRelease(...args) {
  if (require('node:fs').existsSync(${JSON.stringify(release)})) server.listen(...args);
  else setTimeout(listenOnRelease, 200, ...args);
})(`,
      );
    return gitRepo(temp, { 'manifest.yml': manifest, 'server.js': server });
  };

  const startRedis = async () => {
    stopRedis = (await redisServer.start({ dataDir: redisFolder, port: redisPort, persistent: true })).stop;
  };

  beforeAll(async () => {
    redisFolder = await temp.make('job-redis-');
    release = path.join(await temp.make('in-flight-'), 'release');
    redisPort = await pickFreePort();
    await startRedis();
    const jobStore = `redis://127.0.0.1:${redisPort}`;
    const pacemakerData = await temp.make();
    pacemaker = await startNode(
      {
        name: `pm-${suffix}`,
        dataFolder: pacemakerData,
        roles: {
          pacemaker: {
            database: path.join(pacemakerData, 'model.db'),
            superToken,
            nodeToken,
            jobStore,
            api: { port: 0 },
            nodeReportIntervalMs: 1000,
          },
          router: { port: 0 },
        },
      },
      plugins(pacemakerData),
    );
    heartData = await temp.make();
    heart = await startNode(
      {
        name: `heart-${suffix}`,
        dataFolder: heartData,
        roles: {
          heart: {
            ports: instancePortBlock(19),
            stopInstancesOnClose: true,
            pacemaker: { url: pacemaker.pacemaker?.url, nodeToken, jobStore },
          },
        },
      },
      plugins(heartData),
    );
    const { model, jobs } = pacemaker.pacemaker ?? expect.unreachable();
    await eventually(
      async () =>
        (await jobs.knownNodes()).has(`heart-${suffix}`) &&
        (await model.nodes.list({ state: 'ACTIVE' })).some((node) => node.name === `heart-${suffix}`),
    );
  }, 60_000);

  afterAll(async () => {
    await heart?.close();
    await pacemaker?.close();
    await stopRedis?.();
    if (heartData) await killLeftovers(heartData);
    await temp.removeAll();
  }, 60_000);

  it('keeps serving, refuses actions clearly, then runs them again by itself with no job left unfinished', async () => {
    const { url, jobs } = pacemaker.pacemaker ?? expect.unreachable();
    const api = apiRequester(url, superToken);
    const workspace = await api('POST', '/workspaces', { name: `Outage ${suffix}`, stub: `o-${suffix}` });
    expect(workspace.status, JSON.stringify(workspace.body)).toBe(201);
    const workspaceId: number = workspace.body.data.id;
    const deploy = (location: string) =>
      api('POST', `/workspaces/${workspaceId}/deploys`, {
        scm: 'paasmaker.scm.git',
        parameters: { location },
      });
    const finished = async (answer: ApiAnswer) => {
      expect(answer.status, JSON.stringify(answer.body)).toBe(202);
      const tree = await jobs.waitForTree(answer.body.data.treeId);
      expect(tree.jobs.filter((job) => job.state !== 'SUCCESS').map((job) => job.summary)).toEqual([]);
      return tree;
    };
    const repo = await gitRepo(temp);
    await finished(await deploy(repo));
    const applications = await api('GET', `/workspaces/${workspaceId}/applications`);
    const applicationId: number = applications.body.data[0].id;
    const versions = await api('GET', `/applications/${applicationId}/versions`);
    const versionId: number = versions.body.data[0].id;
    const host = hostnameOf('hello-node').replace('.default.', `.o-${suffix}.`);
    expect((await httpGet(routerPort(pacemaker), host)).status).toBe(200);

    // Work in flight on both nodes across the outage: a prepare command on the pacemaker and an
    // instance starting on the heart, each still running when Redis comes back.
    const inFlight = [
      await deploy(await slowRepo('slow-prepare', 'prepare')),
      await deploy(await slowRepo('slow-start', 'listen')),
    ].map((answer) => answer.body.data.treeId as string);
    await eventually(async () => {
      const running = await Promise.all(
        inFlight.map(async (treeId) =>
          (await jobs.getTree(treeId)).jobs.filter((j) => j.state === 'RUNNING'),
        ),
      );
      return (
        running[0]?.some(
          (job) => job.type === 'paasmaker.job.prepare.preparer' && job.nodeId === `pm-${suffix}`,
        ) === true && running[1]?.some((job) => job.type === 'paasmaker.job.heart.startup') === true
      );
    });

    const load = new SteadyLoad(routerPort(pacemaker), host, 20);
    // Redis stops under load: once the app has answered through the router.
    while (!load.results.some((result) => result.status === 200)) await sleep(50);
    const stoppedAt = Date.now();
    await stopRedis?.();
    // Actions during the outage: each must be refused promptly, naming the job store.
    const refused: ApiAnswer[] = [];
    while (Date.now() - stoppedAt < OUTAGE_MS - 6_000) {
      refused.push(await deploy(repo));
      refused.push(await api('POST', `/versions/${versionId}/start`));
      refused.push(await api('POST', `/versions/${versionId}/stop`));
      await sleep(3_000);
    }
    await sleep(Math.max(0, stoppedAt + OUTAGE_MS - Date.now()));
    const restartedAt = Date.now();
    await startRedis();

    // Actions run again once the engine has reconnected: no node is restarted.
    let resumed: ApiAnswer | undefined;
    const whileReconnecting: ApiAnswer[] = [];
    await eventually(async () => {
      const answer = await api('POST', `/versions/${versionId}/start`);
      if (answer.status === 202) resumed = answer;
      else whileReconnecting.push(answer);
      return resumed !== undefined;
    });
    const resumedAt = Date.now();
    // The work in flight ends only now, after the outage and the engine's reconnection.
    await writeFile(release, '');
    await finished(resumed ?? expect.unreachable());
    // What ran on a live node across the outage finishes as it would have: no node was lost.
    for (const treeId of inFlight) {
      const tree = await jobs.waitForTree(treeId).catch(() => jobs.getTree(treeId));
      const states = tree.jobs.map((job) =>
        job.state === 'SUCCESS' ? `${job.title}: SUCCESS` : `${job.title}: ${job.state} ${job.summary}`,
      );
      expect(states).toEqual(tree.jobs.map((job) => `${job.title}: SUCCESS`));
    }
    // A new deploy goes through every step again, the heart's jobs included.
    await finished(await deploy(repo));
    expect((await httpGet(routerPort(pacemaker), host)).body).toBe('Hello from hello-node version 2\n');
    await sleep(2_000);
    await load.stop();

    const codes = (answers: ApiAnswer[]) => answers.map((a) => `${a.status} ${a.body?.error?.code}`);
    console.log(
      `job Redis outage: ${load.sent(stoppedAt, restartedAt).length} requests during the ${OUTAGE_MS / 1000} s outage, ` +
        `${load.failed().length} of ${load.results.length} failed in all; ${refused.length} actions refused ` +
        `(slowest answer ${Math.max(...refused.map((a) => a.ms))} ms); actions resumed ${(resumedAt - restartedAt) / 1000} s ` +
        `after Redis restarted (${whileReconnecting.length} refused meanwhile)`,
    );
    expect(load.failed()).toEqual([]);
    expect(new Set(codes(refused))).toEqual(new Set(['503 E_JOBS_UNAVAILABLE']));
    expect(refused.every((answer) => /job store/i.test(answer.body.error.message))).toBe(true);
    expect(new Set(codes(whileReconnecting))).toEqual(
      new Set(whileReconnecting.length ? ['503 E_JOBS_UNAVAILABLE'] : []),
    );

    // No job of any tree, the pacemaker's own included, is left behind.
    const unfinished = async () => {
      const found: string[] = [];
      for (const { treeId } of (await jobs.listTrees()).trees)
        for (const job of (await jobs.getTree(treeId)).jobs)
          if (!['SUCCESS', 'FAILED', 'ABORTED'].includes(job.state)) found.push(`${job.title}: ${job.state}`);
      return found;
    };
    const settleBy = Date.now() + 20_000;
    while ((await unfinished()).length > 0 && Date.now() < settleBy) await sleep(500);
    expect(await unfinished()).toEqual([]);
  }, 180_000);
});
