import type { PaasmakerNode } from '@paasmaker/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deployFromGit, startBespokePaas } from '../src/bespoke-paas';
import {
  gitRepo,
  hostnameOf,
  httpGet,
  instancePortBlock,
  routerPort,
  TempFolders,
} from './paas-test-helpers';

// hello-node plus a standalone worker that only the current version may run (the original's
// example of `exclusive: true`).
const manifest = (greeting: string) => `
manifest: { format: 1 }
application: { name: shop }
instances:
  - name: web
    runtime: { plugin: paasmaker.runtime.node, version: "20" }
  - name: worker
    runtime: { plugin: paasmaker.runtime.node, version: "20", parameters: { command: [node, worker.js] } }
    standalone: true
    exclusive: true
# ${greeting}
`;
const worker = 'setInterval(() => console.log("working"), 200);\n';

describe('exclusive, standalone instance types', () => {
  const temp = new TempFolders();
  let node: PaasmakerNode;

  beforeAll(async () => {
    node = await startBespokePaas({ dataFolder: await temp.make(), instancePorts: instancePortBlock(2) });
  });
  afterAll(async () => {
    await node?.close();
    await temp.removeAll();
  });

  const workers = () =>
    (node.heart?.instances() ?? [])
      .filter((instance) => instance.registration.application.instanceType === 'worker')
      .map((instance) => [instance.registration.application.version, instance.state, instance.port]);

  it('runs the worker without a port or a route, next to the routed web instance', async () => {
    await deployFromGit(node, await gitRepo(temp, { 'manifest.yml': manifest('v1'), 'worker.js': worker }));
    expect(workers()).toEqual([[1, 'RUNNING', null]]);
    expect((await httpGet(routerPort(node), hostnameOf('shop'))).status).toBe(200);
    expect(node.pacemaker?.routing.hostnames().some((name) => name.includes('worker'))).toBe(false);
  });

  it("stops the old version's worker before starting the new one when switching versions", async () => {
    const tree = await deployFromGit(
      node,
      await gitRepo(temp, { 'manifest.yml': manifest('v2'), 'worker.js': worker }),
    );
    expect(workers()).toEqual([
      [1, 'STOPPED', null],
      [2, 'RUNNING', null],
    ]);
    const workerId = (version: number) =>
      node.heart
        ?.instances()
        .find(
          (i) =>
            i.registration.application.instanceType === 'worker' &&
            i.registration.application.version === version,
        )?.instanceId;
    const job = (type: string, instanceId: string | undefined) =>
      tree.jobs.find(
        (j) => j.type === `paasmaker.job.heart.${type}` && j.parameters.instanceId === instanceId,
      );
    const stopOld = job('shutdown', workerId(1));
    const startNew = job('startup', workerId(2));
    expect(stopOld?.finishedAt).toBeDefined();
    expect(startNew?.startedAt ?? 0).toBeGreaterThanOrEqual(stopOld?.finishedAt ?? Number.POSITIVE_INFINITY);
    expect((await httpGet(routerPort(node), hostnameOf('shop'))).body).toMatch(/version 2/);
  });
});
