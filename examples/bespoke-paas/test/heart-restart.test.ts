// The kill -9 case on a real bespoke PaaS: the PaaS runs in a child process, deploys hello-node
// from git and is killed with SIGKILL; its detached instance keeps running; a new PaaS on the same
// data folder re-adopts it (or restarts it if it died meanwhile) and routes to it again.
import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import { isProcessRunning, type PaasmakerNode, readProcessRecord } from '@paasmaker/core';
import { afterEach, describe, expect, it } from 'vitest';
import { startBespokePaas } from '../src/bespoke-paas';
import { killChild, spawnTsChild } from './child-processes';
import {
  aliveInstancePids,
  eventually,
  freePort,
  gitRepo,
  hostnameOf,
  httpGet,
  instancePortBlock,
  killLeftovers,
  TempFolders,
} from './paas-test-helpers';

const HOST = hostnameOf('hello-node');

const temp = new TempFolders();
const dataFolders: string[] = [];
const children: ChildProcess[] = [];
let node: PaasmakerNode | undefined;

afterEach(async () => {
  await node?.close();
  node = undefined;
  for (const child of children.splice(0))
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  const leftovers: number[] = [];
  for (const dataFolder of dataFolders.splice(0)) leftovers.push(...(await killLeftovers(dataFolder)));
  await temp.removeAll();
  expect(leftovers, 'instance processes left running').toEqual([]);
}, 30_000);

interface ChildReport {
  routerPort: number;
  instances: { instanceId: string; port: number }[];
}

/**
 * Starts the PaaS in a child process on `dataFolder`, deploying hello-node from a fresh git
 * repository; resolves with the child and the line it printed once the app is live.
 */
async function startChildPaas(
  dataFolder: string,
  ports: { api: number; router: number },
  instancePorts: { min: number; max: number },
) {
  const { child, line } = await spawnTsChild(temp, new URL('./paas-child.ts', import.meta.url), {
    PAAS_DATA: dataFolder,
    PAAS_API_PORT: String(ports.api),
    PAAS_ROUTER_PORT: String(ports.router),
    PAAS_INSTANCE_PORTS: JSON.stringify(instancePorts),
    PAAS_REPO: await gitRepo(temp),
  });
  children.push(child);
  return { child, report: JSON.parse(line) as ChildReport };
}

const stateFolder = (dataFolder: string, instanceId: string) =>
  path.join(dataFolder, 'heart', 'instances', instanceId, 'state');

/** The pid the runtime recorded for an instance, checked to be running. */
async function runningPid(dataFolder: string, instanceId: string): Promise<number> {
  const record = await readProcessRecord(stateFolder(dataFolder, instanceId));
  expect(record, `process record of ${instanceId}`).toBeDefined();
  expect(isProcessRunning(record as NonNullable<typeof record>), `instance ${instanceId} runs`).toBe(true);
  return (record as NonNullable<typeof record>).pid;
}

/** The PaaS started again in this process: every instance RUNNING in heart and model, and routed. */
async function expectRecovered(restarted: PaasmakerNode, report: ChildReport): Promise<void> {
  const heart = restarted.heart;
  const pacemaker = restarted.pacemaker;
  if (!heart || !pacemaker) throw new Error('the node runs no heart or pacemaker');
  const ids = report.instances.map((instance) => instance.instanceId).sort();
  expect(
    heart
      .instances()
      .map((instance) => instance.instanceId)
      .sort(),
  ).toEqual(ids);
  for (const instance of heart.instances()) expect(instance.state, instance.instanceId).toBe('RUNNING');
  for (const id of ids) {
    expect((await pacemaker.model.instances.findByUuid(id))?.state, `model state of ${id}`).toBe('RUNNING');
  }
  const answer = await httpGet(restarted.router?.port as number, HOST);
  expect(answer.status).toBe(200);
  expect(answer.body).toMatch(/^Hello from hello-node version 1\b/);
}

describe('bespoke PaaS: the PaaS process killed with SIGKILL', () => {
  it('keeps the instance running, and a restarted PaaS re-adopts and routes to it', async () => {
    const dataFolder = await temp.make();
    dataFolders.push(dataFolder);
    const ports = { api: await freePort(), router: await freePort() };
    const instancePorts = instancePortBlock(11);
    const { child, report } = await startChildPaas(dataFolder, ports, instancePorts);
    expect(report.routerPort).toBe(ports.router);
    expect(report.instances).toHaveLength(1);
    const [instance] = report.instances as [ChildReport['instances'][0]];
    expect((await httpGet(ports.router, HOST)).status).toBe(200);
    const pid = await runningPid(dataFolder, instance.instanceId);

    await killChild(child);
    // The instance is detached: it survived, and still answers on its own port.
    expect(await runningPid(dataFolder, instance.instanceId)).toBe(pid);
    const direct = await httpGet(instance.port, 'localhost');
    expect(direct.status).toBe(200);
    expect(direct.body).toMatch(/^Hello from hello-node version 1\b/);

    node = await startBespokePaas({
      dataFolder,
      apiPort: ports.api,
      routerPort: ports.router,
      instancePorts,
    });
    await expectRecovered(node, report);
    // Re-adopted, not restarted: the same process on the same port.
    expect(node.heart?.instance(instance.instanceId)?.port).toBe(instance.port);
    expect(await runningPid(dataFolder, instance.instanceId)).toBe(pid);

    await node.close();
    node = undefined;
    expect(await aliveInstancePids(dataFolder)).toEqual([]);
  }, 120_000);

  it('restarts an instance that died while the PaaS was down', async () => {
    const dataFolder = await temp.make();
    dataFolders.push(dataFolder);
    const ports = { api: await freePort(), router: await freePort() };
    const instancePorts = instancePortBlock(11);
    const { child, report } = await startChildPaas(dataFolder, ports, instancePorts);
    const [instance] = report.instances as [ChildReport['instances'][0]];
    const pid = await runningPid(dataFolder, instance.instanceId);
    await killChild(child);
    // Now the instance dies too (its whole process group), while no PaaS watches it.
    process.kill(-pid, 'SIGKILL');
    await eventually(async () => (await aliveInstancePids(dataFolder)).length === 0);

    node = await startBespokePaas({
      dataFolder,
      apiPort: ports.api,
      routerPort: ports.router,
      instancePorts,
    });
    const heart = node.heart;
    if (!heart) throw new Error('no heart');
    // The heart restarts it on start (or right after, from its watcher).
    await eventually(() => heart.instance(instance.instanceId)?.state === 'RUNNING');
    const newPid = await runningPid(dataFolder, instance.instanceId);
    expect(newPid).not.toBe(pid);
    await eventually(
      async () =>
        (await node?.pacemaker?.model.instances.findByUuid(instance.instanceId))?.state === 'RUNNING',
    );
    await expectRecovered(node, report);

    await node.close();
    node = undefined;
    expect(await aliveInstancePids(dataFolder)).toEqual([]);
  }, 120_000);
});
