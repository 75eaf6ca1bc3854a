// PostgreSQL restarted under writes: a pacemaker (with a heart and the router) whose model is on a
// PostgreSQL cluster of this test's own, jobs on the shared Redis or on that PostgreSQL. The cluster is stopped (fast
// shutdown, sessions cut) and started again while config vars and workspaces are written through
// the API in a loop: writes during the outage fail with a clear 503, the pacemaker reconnects by
// itself, every write that succeeded is there afterwards, and the app keeps serving.
import path from 'node:path';
import type { PaasmakerNode } from '@paasmaker/core';
import nodeRuntime from '@paasmaker/plugin-runtime-node';
import gitScm from '@paasmaker/plugin-scm-git';
import { pickFreePort, postgresServer, redisUrl } from '@paasmaker/test-servers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiAnswer, apiRequester } from './api-request';
import {
  gitRepo,
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

const OUTAGE_MS = 12_000;
/** Reports (and the registry's sweeps) every 3 s: a heart is DOWN after 9 s of silence, less than the outage. */
const REPORT_INTERVAL_MS = 3_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One write through the API: what it wrote, when, and how it was answered (status 0: no answer). */
interface Write {
  kind: 'config' | 'workspace';
  key: string;
  sentAt: number;
  ms: number;
  status: number;
  code?: string;
  message?: string;
}

describe.each([
  { jobs: 'the shared Redis', jobStore: () => redisUrl(), portBlock: 20 },
  { jobs: 'the same PostgreSQL', jobStore: () => 'sql', portBlock: 21 },
])('PostgreSQL restarted under writes, jobs on $jobs', ({ jobs: jobsOn, jobStore, portBlock }) => {
  const temp = new TempFolders();
  const superToken = newToken();
  let dataFolder: string;
  let pgFolder: string;
  let pgPort: number;
  let stopPostgres: (() => Promise<void>) | undefined;
  let node: PaasmakerNode;

  const startPostgres = async () => {
    const server = await postgresServer.start({ dataDir: pgFolder, port: pgPort });
    stopPostgres = server.stop;
    return server.env.PAASMAKER_TEST_POSTGRES_URL ?? expect.unreachable();
  };

  beforeAll(async () => {
    pgFolder = await temp.make('pg-restart-');
    pgPort = await pickFreePort();
    const database = await startPostgres();
    dataFolder = await temp.make();
    node = await startNode(
      {
        name: 'pg-restart',
        dataFolder,
        roles: {
          pacemaker: {
            database,
            superToken,
            nodeToken: newToken(),
            jobStore: jobStore(),
            api: { port: 0 },
            nodeReportIntervalMs: REPORT_INTERVAL_MS,
            health: { intervalMs: 1000 },
          },
          heart: { stopInstancesOnClose: true, ports: instancePortBlock(portBlock) },
          router: { port: 0 },
        },
      },
      [nodeRuntime, { plugin: gitScm, options: { cacheDirectory: path.join(dataFolder, 'git-cache') } }],
    );
  }, 90_000);

  afterAll(async () => {
    await node?.close();
    await stopPostgres?.();
    const leftovers = dataFolder ? await killLeftovers(dataFolder) : [];
    await temp.removeAll();
    expect(leftovers).toEqual([]);
  }, 60_000);

  it('reconnects by itself, loses no write that succeeded and keeps the app serving', async () => {
    const { url, jobs, kernel, registry } = node.pacemaker ?? expect.unreachable();
    const nodeChanges: string[] = [];
    kernel.hooks.nodeStateChanged.tapPromise('postgres-restart test', async (change) => {
      nodeChanges.push(`${change.from} -> ${change.to}`);
    });
    const api = apiRequester(url, superToken, 20_000);
    const finished = async (answer: ApiAnswer) => {
      expect(answer.status, JSON.stringify(answer.body)).toBe(202);
      const tree = await jobs.waitForTree(answer.body.data.treeId);
      expect(tree.jobs.filter((job) => job.state !== 'SUCCESS').map((job) => job.summary)).toEqual([]);
    };
    const workspace = await api('POST', '/workspaces', { name: 'Restart', stub: 'restart' });
    expect(workspace.status, JSON.stringify(workspace.body)).toBe(201);
    const workspaceId: number = workspace.body.data.id;
    const repo = await gitRepo(temp);
    const deploy = () =>
      api('POST', `/workspaces/${workspaceId}/deploys`, {
        scm: 'paasmaker.scm.git',
        parameters: { location: repo },
      });
    await finished(await deploy());
    const applicationId: number = (await api('GET', `/workspaces/${workspaceId}/applications`)).body.data[0]
      .id;
    const host = hostnameOf('hello-node').replace('.default.', '.restart.');
    expect((await httpGet(routerPort(node), host)).status).toBe(200);

    const load = new SteadyLoad(routerPort(node), host, 20);
    const writes: Write[] = [];
    let writing = true;
    const record = async (kind: Write['kind'], key: string, send: () => Promise<ApiAnswer>) => {
      const sentAt = Date.now();
      const answer = await send().catch((error: Error) => ({
        status: 0,
        body: { error: { message: error.message } },
      }));
      const error = answer.body?.error;
      writes.push({
        kind,
        key,
        sentAt,
        ms: Date.now() - sentAt,
        status: answer.status,
        code: error?.code,
        message: error?.message,
      });
    };
    const writer = (async () => {
      for (let i = 0; writing; i++) {
        await record('config', `K${i}`, () =>
          api('PATCH', `/applications/${applicationId}/config`, { vars: { [`K${i}`]: String(i) } }),
        );
        await record('workspace', `w-${i}`, () =>
          api('POST', '/workspaces', { name: `W ${i}`, stub: `w-${i}` }),
        );
        await sleep(100);
      }
    })();
    /** Whether writes of both kinds sent after `since` succeeded. */
    const bothWritten = (since: number) =>
      (['config', 'workspace'] as const).every((kind) =>
        writes.some((w) => w.kind === kind && w.sentAt > since && w.status >= 200 && w.status < 300),
      );
    // The outage starts under load: both kinds written and the app answered.
    while (!bothWritten(0) || load.results.length === 0) await sleep(50);

    const stoppedAt = Date.now();
    await stopPostgres?.();
    await sleep(OUTAGE_MS);
    const restartedAt = Date.now();
    await startPostgres();
    // After the restart the registry's sweep and the heart's next report race (each retried
    // within an interval); either may win. Sweeping here at once makes the sweep win: a heart
    // silent only because its reports could not be recorded must not go DOWN.
    let sweep: unknown[] | undefined;
    while (!sweep) sweep = await registry.checkNodes().catch(() => sleep(20).then(() => undefined));
    const sweptAt = Date.now();
    // The pacemaker's pool reconnects by itself: writes succeed again without restarting it.
    while (!writes.some((w) => w.sentAt > restartedAt && w.status < 300 && w.status > 0)) await sleep(100);
    const recoveredAt =
      writes.find((w) => w.sentAt > restartedAt && w.status < 300 && w.status > 0)?.sentAt ?? 0;
    // Writes go on until both kinds succeeded again and the heart was heard from after the restart
    // (from then on no sweep can take its silence during the outage for a lost node).
    const heardAgain = async () =>
      ((await registry.list()).find((n) => n.name === 'pg-restart')?.lastHeardAt?.getTime() ?? 0) >
      restartedAt;
    while (!bothWritten(recoveredAt - 1) || !(await heardAgain())) await sleep(100);
    writing = false;
    await writer;
    // Actions run again too: a new deploy goes through every step and is served.
    await finished(await deploy());
    expect((await httpGet(routerPort(node), host)).body).toBe('Hello from hello-node version 2\n');
    await load.stop();

    const succeeded = writes.filter((w) => w.status >= 200 && w.status < 300);
    const failed = writes.filter((w) => !(w.status >= 200 && w.status < 300));
    console.log(
      `PostgreSQL restart (jobs on ${jobsOn}): down ${(restartedAt - stoppedAt) / 1000} s; writes succeeded again ${
        (recoveredAt - restartedAt) / 1000
      } s after it started (first sweep ${(sweptAt - restartedAt) / 1000} s); ${failed.length} of ${writes.length} writes failed ` +
        `(${[...new Set(failed.map((w) => `${w.status} ${w.code}`))].join(', ')}), slowest answer ${Math.max(...writes.map((w) => w.ms))} ms; ${load.failed().length} of ${load.results.length} requests failed`,
    );
    expect(sweep).toEqual([]);
    expect(nodeChanges).toEqual([]);
    expect(load.failed()).toEqual([]);
    expect(failed.filter((w) => w.status !== 503 || w.code !== 'E_MODEL_UNAVAILABLE')).toEqual([]);
    expect(failed.every((w) => w.message?.includes('model database'))).toBe(true);
    expect(failed.length).toBeGreaterThan(0);
    expect(succeeded.filter((w) => w.sentAt > recoveredAt).length).toBeGreaterThan(0);

    // Nothing that was answered with success is missing.
    const vars: Record<string, string> = (await api('GET', `/applications/${applicationId}/config`)).body.data
      .vars;
    const stubs = new Set(
      ((await api('GET', '/workspaces')).body.data as { stub: string }[]).map((w) => w.stub),
    );
    const lost = succeeded.filter((w) =>
      w.kind === 'config' ? vars[w.key] !== w.key.slice(1) : !stubs.has(w.key),
    );
    expect(lost).toEqual([]);
  }, 150_000);
});
