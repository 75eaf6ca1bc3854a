// Losing a heart under load: a pacemaker (PostgreSQL, jobs on Redis) and two hearts in processes
// of their own; one heart's node and instances are killed with SIGKILL while requests flow. The
// health manager notices the heart is DOWN, replaces its instances on the other heart and takes
// them out of routing; the router meanwhile retries refused or silent instances elsewhere.
import type { ChildProcess } from 'node:child_process';
import http from 'node:http';
import type { PaasmakerNode } from '@paasmaker/core';
import nodeRuntime from '@paasmaker/plugin-runtime-node';
import gitScm from '@paasmaker/plugin-scm-git';
import { redisUrl } from '@paasmaker/test-servers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createPostgresTestDatabase,
  type PostgresTestDatabase,
} from '../../../packages/core/test/postgres-database';
import { killChild, spawnTsChild } from './child-processes';
import {
  eventually,
  gitRepo,
  hostnameOf,
  httpGet,
  instancePortBlock,
  killLeftovers,
  newToken,
  recordedProcesses,
  routerPort,
  startNode,
  TempFolders,
} from './paas-test-helpers';

const NODE_CHILD = new URL('./node-child.ts', import.meta.url);
const manifestWith = (quantity: number) =>
  `manifest:\n  format: 1\napplication:\n  name: hello-node\ninstances:\n  - name: web\n    quantity: ${quantity}\n    runtime:\n      plugin: paasmaker.runtime.node\n      version: "20"\n    health_check:\n      path: /\n      timeout: 20\n`;

interface HeartProcess {
  name: string;
  data: string;
  config: Record<string, unknown>;
  child: ChildProcess;
}

/** Requests sent through the router, one after another per worker, until stopped. */
class Load {
  readonly results: { at: number; ok: boolean; detail: string }[] = [];
  #running = true;
  readonly #done: Promise<void>[];
  readonly #agent = new http.Agent({ keepAlive: true, maxSockets: 8 });

  constructor(port: number, host: string, workers: number) {
    this.#done = Array.from({ length: workers }, async () => {
      while (this.#running) {
        const answer = await httpGet(port, host, '/', this.#agent).catch((error: Error) => ({
          status: 0,
          body: error.message,
        }));
        this.results.push({ at: Date.now(), ok: answer.status === 200, detail: `${answer.status}` });
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    });
  }

  failedBetween(from: number, to = Number.POSITIVE_INFINITY) {
    return this.results.filter((r) => !r.ok && r.at >= from && r.at <= to);
  }

  async stop(): Promise<void> {
    this.#running = false;
    await Promise.all(this.#done);
    this.#agent.destroy();
  }
}

describe('losing a heart', () => {
  const temp = new TempFolders();
  const suffix = Math.random().toString(16).slice(2, 8);
  const nodeToken = newToken();
  const superToken = newToken();
  const hearts: HeartProcess[] = [];
  let database: PostgresTestDatabase;
  let pacemaker: PaasmakerNode;
  /** The heart that is left after the first test, and the one that was lost with its instances. */
  let survivor: HeartProcess | undefined;
  let lostHeart: { heart: HeartProcess; instanceIds: string[]; versionIds: number[] } | undefined;
  const running = async (versionId: number) => {
    const { model } = pacemaker.pacemaker ?? expect.unreachable();
    const nodeNames = new Map((await model.nodes.list()).map((node) => [node.id, node.name]));
    const found: { uuid: string; node: string }[] = [];
    for (const type of await model.instanceTypes.list({ versionId }))
      for (const instance of await model.instances.list({ instanceTypeId: type.id, state: 'RUNNING' }))
        found.push({ uuid: instance.uuid, node: nodeNames.get(instance.nodeId) ?? '?' });
    return found;
  };

  beforeAll(async () => {
    database = await createPostgresTestDatabase('heart_loss');
    const pacemakerData = await temp.make();
    pacemaker = await startNode(
      {
        name: `pm-${suffix}`,
        dataFolder: pacemakerData,
        roles: {
          pacemaker: {
            database: database.connection,
            superToken,
            nodeToken,
            jobStore: redisUrl(),
            api: { port: 0 },
            nodeReportIntervalMs: 1000,
            // A version replaced for failing waits 10 min before its next replacement.
            health: { intervalMs: 1000, replaceBackoffMs: 600_000 },
          },
          router: { port: 0 },
        },
      },
      [nodeRuntime, { plugin: gitScm, options: { cacheDirectory: `${pacemakerData}/git-cache` } }],
    );
    for (const [index, block] of [17, 18].entries()) {
      const name = `heart-${index + 1}-${suffix}`;
      const data = await temp.make();
      const config = {
        name,
        dataFolder: data,
        logLevel: 'warn',
        roles: {
          heart: {
            ports: instancePortBlock(block),
            stopInstancesOnClose: true,
            pacemaker: { url: pacemaker.pacemaker?.url, nodeToken, jobStore: redisUrl() },
          },
        },
      };
      const { child } = await spawnTsChild(temp, NODE_CHILD, { PAAS_CONFIG: JSON.stringify(config) });
      hearts.push({ name, data, config, child });
    }
    const { model, jobs } = pacemaker.pacemaker ?? expect.unreachable();
    await eventually(async () => {
      const known = await jobs.knownNodes();
      const active = await model.nodes.list({ state: 'ACTIVE' });
      return hearts.every(
        (heart) => known.has(heart.name) && active.some((node) => node.name === heart.name),
      );
    });
  }, 120_000);

  afterAll(async () => {
    for (const heart of hearts) await killChild(heart.child);
    for (const heart of hearts) await killLeftovers(heart.data);
    await pacemaker?.close();
    await database?.drop();
    await temp.removeAll();
  }, 60_000);

  it('replaces the lost heart’s instances on the other heart and routes only to them', async () => {
    const { model, actions, jobs, routing } = pacemaker.pacemaker ?? expect.unreachable();
    const workspace = await model.workspaces.create({ name: `Loss ${suffix}`, stub: `l-${suffix}` });
    const deployed = async (quantity: number, makeCurrent: boolean) => {
      const repo = await gitRepo(temp, { 'manifest.yml': manifestWith(quantity) });
      const { treeId } = await actions.deploy(
        workspace.id,
        { scm: 'paasmaker.scm.git', parameters: { location: repo } },
        { makeCurrent },
      );
      const tree = await jobs.waitForTree(treeId);
      expect(tree.jobs.filter((job) => job.state !== 'SUCCESS').map((job) => job.summary)).toEqual([]);
    };
    await deployed(2, true);
    await deployed(1, false);
    const application = (await model.applications.list()).find((app) => app.workspaceId === workspace.id);
    const versions = await model.versions.list({ applicationId: application?.id ?? expect.unreachable() });
    const [v1, v2] = versions.sort((a, b) => a.number - b.number);
    if (!v1 || !v2) expect.unreachable();
    await jobs.waitForTree((await actions.start(v2.id)).treeId);

    const before1 = await running(v1.id);
    const before2 = await running(v2.id);
    expect(new Set(before1.map((i) => i.node)).size).toBe(2);
    expect(before2).toHaveLength(1);
    const victim = hearts.find((heart) => heart.name === before2[0]?.node) ?? expect.unreachable();
    survivor = hearts.find((heart) => heart !== victim) ?? expect.unreachable();
    const left = survivor;
    const lost = [...before1, ...before2].filter((i) => i.node === victim.name).map((i) => i.uuid);
    lostHeart = { heart: victim, instanceIds: lost, versionIds: [v1.id, v2.id] };

    const host = hostnameOf('hello-node').replace('.default.', `.l-${suffix}.`);
    const load = new Load(routerPort(pacemaker), host, 4);
    // The heart dies under load: once the app has answered through the router.
    while (!load.results.some((result) => result.ok)) await new Promise((resolve) => setTimeout(resolve, 20));
    const killedAt = Date.now();
    await killChild(victim.child);
    await killLeftovers(victim.data);

    let downAt: number | undefined;
    const victimNode = (await model.nodes.list()).find((node) => node.name === victim.name);
    const routedOn = (hostname: string) => routing.routes(hostname).map((route) => route.instanceId);
    await eventually(async () => {
      if (!downAt && (await model.nodes.get(victimNode?.id ?? 0)).state === 'DOWN') downAt = Date.now();
      const now1 = await running(v1.id);
      const now2 = await running(v2.id);
      const routed = routing.hostnames().flatMap(routedOn);
      return (
        now1.length === 2 &&
        now2.length === 1 &&
        [...now1, ...now2].every((i) => i.node === left.name) &&
        lost.every((uuid) => !routed.includes(uuid))
      );
    });
    const recoveredAt = Date.now();
    const duringRecovery = load.failedBetween(killedAt, recoveredAt);
    const sentDuring = load.results.filter((r) => r.at >= killedAt && r.at <= recoveredAt).length;
    await new Promise((resolve) => setTimeout(resolve, 3000));
    await load.stop();
    const afterRecovery = load.failedBetween(recoveredAt);
    const sentAfter = load.results.filter((r) => r.at > recoveredAt).length;
    console.log(
      `heart loss: DOWN after ${((downAt ?? recoveredAt) - killedAt) / 1000} s, recovered after ${
        (recoveredAt - killedAt) / 1000
      } s; failed ${duringRecovery.length} of ${sentDuring} requests during recovery, ${afterRecovery.length} of ${sentAfter} after`,
    );
    expect(afterRecovery).toEqual([]);
    for (const uuid of lost) expect((await model.instances.findByUuid(uuid))?.state).toBe('DOWN');

    const v2Host = `2.${host}`;
    expect((await httpGet(routerPort(pacemaker), v2Host)).status).toBe(200);
    const { trees } = await jobs.store.listTrees({ tag: `application:${application?.id}` });
    expect(trees.map((tree) => tree.title)).toContainEqual(
      expect.stringMatching(/^Replace \d instance\(s\)/),
    );
  }, 240_000);

  it('stops the replaced instances of a heart that comes back, so no version runs more than its quantity', async () => {
    const { model, jobs, routing } = pacemaker.pacemaker ?? expect.unreachable();
    const { heart, instanceIds, versionIds } = lostHeart ?? expect.unreachable();
    const [v1, v2] = versionIds as [number, number];
    // Its catalogue still lists the lost instances as running: it starts them again and reports them.
    const { child } = await spawnTsChild(temp, NODE_CHILD, { PAAS_CONFIG: JSON.stringify(heart.config) });
    heart.child = child;
    const backAt = Date.now();
    await eventually(async () => {
      const lost = await Promise.all(instanceIds.map((uuid) => model.instances.findByUuid(uuid)));
      return lost.every((instance) => instance?.state === 'DEREGISTERED');
    });
    console.log(
      `heart back: its ${instanceIds.length} replaced instance(s) retired after ${(Date.now() - backAt) / 1000} s`,
    );
    const processes = await recordedProcesses(heart.data);
    expect(processes.filter((p) => instanceIds.includes(p.instanceId) && p.alive)).toEqual([]);
    expect([(await running(v1)).length, (await running(v2)).length]).toEqual([2, 1]);
    const routed = routing
      .hostnames()
      .flatMap((hostname) => routing.routes(hostname).map((r) => r.instanceId));
    expect(routed.filter((id) => instanceIds.includes(id))).toEqual([]);
    const { trees } = await jobs.store.listTrees({ tag: `node:${heart.name}` });
    expect(trees.map((tree) => tree.title).sort()).toEqual(
      instanceIds.map((id) => `Record retired instance ${id.slice(0, 8)} deregistered`).sort(),
    );
  }, 120_000);

  it('puts a route that went missing back and takes a stray one off, as job trees', async () => {
    const { model, jobs, routing } = pacemaker.pacemaker ?? expect.unreachable();
    const host = hostnameOf('hello-node').replace('.default.', `.l-${suffix}.`);
    const [kept] = routing.routes(host);
    if (!kept) expect.unreachable();
    routing.remove(host, kept.instanceId);
    const stray = { ...kept, instanceId: '00000000-0000-4000-8000-000000000000', port: kept.port + 1 };
    routing.add(host, stray);
    await eventually(() => {
      const ids = routing.routes(host).map((route) => route.instanceId);
      return ids.includes(kept.instanceId) && !ids.includes(stray.instanceId);
    });
    const instance = (await model.instances.findByUuid(kept.instanceId)) ?? expect.unreachable();
    const type = await model.instanceTypes.get(instance.instanceTypeId);
    const version = await model.versions.get(type.versionId);
    const { trees } = await jobs.store.listTrees({ tag: `application:${version.applicationId}` });
    expect(trees.map((tree) => tree.title)).toContainEqual(
      `Repair the routes of instance ${kept.instanceId.slice(0, 8)}`,
    );
    const { trees: strays } = await jobs.store.listTrees({ tag: 'routing:repair' });
    expect(strays.map((tree) => tree.title)).toEqual(['Repair the routes of instance 00000000']);
  }, 60_000);

  it('stops and removes an instance its heart runs that the database no longer knows', async () => {
    const { model, jobs } = pacemaker.pacemaker ?? expect.unreachable();
    const heart = survivor ?? expect.unreachable();
    const node = (await model.nodes.list()).find((n) => n.name === heart.name) ?? expect.unreachable();
    const [instance] = await model.instances.list({ nodeId: node.id, state: 'RUNNING' });
    if (!instance) expect.unreachable();
    expect((await recordedProcesses(heart.data)).find((p) => p.instanceId === instance.uuid)?.alive).toBe(
      true,
    );
    await model.instances.delete(instance.id);
    let treeId: string | undefined;
    await eventually(async () => {
      treeId = (await jobs.store.listTrees({ tag: `node:${heart.name}` })).trees[0]?.treeId;
      return treeId !== undefined;
    });
    const tree = await jobs.waitForTree(treeId ?? expect.unreachable());
    expect(tree.jobs.map((job) => [job.title, job.state])).toEqual([
      [`Remove unknown instance ${instance.uuid.slice(0, 8)} from ${heart.name}`, 'SUCCESS'],
      [`Stop unknown instance ${instance.uuid.slice(0, 8)}`, 'SUCCESS'],
    ]);
    expect(
      (await recordedProcesses(heart.data)).find((p) => p.instanceId === instance.uuid)?.alive ?? false,
    ).toBe(false);
  }, 60_000);

  it('replaces an instance that keeps failing, and waits before replacing its replacement', async () => {
    const { model, kernel } = pacemaker.pacemaker ?? expect.unreachable();
    const heart = survivor ?? expect.unreachable();
    const node = (await model.nodes.list()).find((n) => n.name === heart.name) ?? expect.unreachable();
    const [instance] = await model.instances.list({ nodeId: node.id, state: 'RUNNING' });
    if (!instance) expect.unreachable();
    const killAlive = async (data: string, instanceId: string) => {
      const alive = (await recordedProcesses(data)).find((p) => p.instanceId === instanceId && p.alive);
      if (alive) process.kill(-alive.pid, 'SIGKILL');
      await new Promise((resolve) => setTimeout(resolve, 200));
    };
    const replaced = async () => (await model.instances.findByUuid(instance.uuid))?.state === 'DEREGISTERED';
    // Each kill is reported ERROR; the heart restarts it (with backoff) until it is replaced.
    while (!(await replaced())) await killAlive(heart.data, instance.uuid);
    let replacement: { uuid: string; nodeId: number } | undefined;
    await eventually(async () => {
      const others = await model.instances.list({
        instanceTypeId: instance.instanceTypeId,
        state: 'RUNNING',
      });
      replacement = others.filter((other) => other.id > instance.id).at(-1);
      return replacement !== undefined;
    });
    const { uuid, nodeId } = replacement ?? expect.unreachable();
    const replacementHeart = (await model.nodes.get(nodeId)).name;
    const data = hearts.find((h) => h.name === replacementHeart)?.data ?? expect.unreachable();
    // The replacement fails too: the check finds it failing but leaves it, within the version's backoff.
    const failing =
      kernel.hooks.healthCheck.find('paasmaker.health.failinginstances') ?? expect.unreachable();
    let summary = '';
    while (!summary.endsWith('0 being replaced, 1 waiting.')) {
      await killAlive(data, uuid);
      summary = (await failing.check({}, { log: pacemaker.logger, signal: new AbortController().signal }))
        .summary;
    }
    expect((await model.instances.findByUuid(uuid))?.state).not.toBe('DEREGISTERED');
  }, 180_000);
});
