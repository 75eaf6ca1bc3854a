// Scaling an instance type through the API on a real PaaS in this process: a running version
// starts the instances it now lacks (each answers through the router) and stops and removes the
// surplus; bad quantities and callers without the permission are refused.
import path from 'node:path';
import type { PaasmakerNode } from '@paasmaker/core';
import nodeRuntime from '@paasmaker/plugin-runtime-node';
import gitScm from '@paasmaker/plugin-scm-git';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deployFromGit } from '../src/bespoke-paas';
import { apiRequester } from './api-request';
import {
  eventually,
  gitRepo,
  hostnameOf,
  httpGet,
  killLeftovers,
  newToken,
  routerPort,
  startNode,
  TempFolders,
} from './paas-test-helpers';

// hello-node, answering with the port it listens on, so that a test can tell instances apart.
const SERVER = `const http = require('node:http');
const port = Number(process.env.PORT);
const server = http.createServer((_request, response) => response.end(\`port \${port}\\n\`));
server.listen(port);
process.on('SIGTERM', () => { server.close(() => process.exit(0)); server.closeIdleConnections(); });
`;

const temp = new TempFolders();
const superToken = newToken();
let dataFolder: string;
let node: PaasmakerNode;

const pacemaker = () => node.pacemaker ?? expect.unreachable();

const api = (method: string, route: string, body?: unknown, token = superToken) =>
  apiRequester(pacemaker().url, token)(method, route, body);

/** The ports that answered `requests` GETs through the router on the app's hostname. */
async function answeringPorts(requests: number): Promise<Set<string>> {
  const seen = new Set<string>();
  for (let i = 0; i < requests; i += 1) {
    const answer = await httpGet(routerPort(node), hostnameOf('hello-node'));
    expect(answer.status).toBe(200);
    seen.add(answer.body.trim());
  }
  return seen;
}

const heartInstances = () =>
  (node.heart?.instances() ?? []).map((instance) => ({ id: instance.instanceId, state: instance.state }));

let versionId = 0;
let webTypeId = 0;
const scalePath = () => `/versions/${versionId}/instance-types/${webTypeId}`;

async function scale(quantity: number) {
  const answer = await api('PATCH', scalePath(), { quantity });
  expect(answer.status, JSON.stringify(answer.body)).toBe(202);
  expect(answer.body.data.quantity).toBe(quantity);
  const tree = await pacemaker().jobs.waitForTree(answer.body.data.treeId);
  expect(tree.jobs.map((job) => [job.title, job.state]).filter(([, state]) => state !== 'SUCCESS')).toEqual(
    [],
  );
  expect(tree.tags).toContain(`instanceType:${webTypeId}`);
  return tree;
}

beforeAll(async () => {
  dataFolder = await temp.make();
  node = await startNode(
    {
      name: 'scale',
      dataFolder,
      roles: {
        pacemaker: { superToken, nodeToken: newToken(), api: { port: 0 } },
        // The end-to-end blocks of 61000–61599 are all taken (CONTRIBUTING); a block of its own here.
        heart: { stopInstancesOnClose: true, ports: { min: 32_400, max: 32_449 } },
        router: { port: 0 },
      },
    },
    [nodeRuntime, { plugin: gitScm, options: { cacheDirectory: path.join(dataFolder, 'git-cache') } }],
  );
  await deployFromGit(node, await gitRepo(temp, { 'server.js': SERVER }));
  const { model } = pacemaker();
  const [application] = await model.applications.list();
  const [version] = await model.versions.list({ applicationId: application?.id ?? 0 });
  const [web] = await model.instanceTypes.list({ versionId: version?.id ?? 0 });
  versionId = version?.id ?? 0;
  webTypeId = web?.id ?? 0;
}, 120_000);

afterAll(async () => {
  await node?.close();
  const leftovers = dataFolder ? await killLeftovers(dataFolder) : [];
  await temp.removeAll();
  expect(leftovers).toEqual([]);
}, 60_000);

describe('scaling an instance type through the API', () => {
  it('starts a second instance of a running version, and both answer through the router', async () => {
    expect(await answeringPorts(5)).toHaveProperty('size', 1);
    await scale(2);
    expect((await api('GET', `/versions/${versionId}/instance-types`)).body.data).toEqual([
      expect.objectContaining({ id: webTypeId, versionId, name: 'web', quantity: 2 }),
    ]);
    expect(heartInstances().map((instance) => instance.state)).toEqual(['RUNNING', 'RUNNING']);
    let seen = new Set<string>();
    await eventually(async () => {
      seen = new Set([...seen, ...(await answeringPorts(10))]);
      return seen.size >= 2;
    });
    expect(seen.size).toBe(2);
    const listed = await api(
      'GET',
      `/applications/${(await pacemaker().model.versions.get(versionId)).applicationId}/instances`,
    );
    expect(listed.body.data.instances.filter((i: { state: string }) => i.state === 'RUNNING')).toHaveLength(
      2,
    );
  }, 180_000);

  it('stops and deregisters the surplus instance when scaled back to 1', async () => {
    const before = await pacemaker().model.instances.list({ instanceTypeId: webTypeId });
    const tree = await scale(1);
    expect(tree.jobs.filter((job) => job.type === 'paasmaker.job.heart.shutdown')).toHaveLength(1);
    expect(tree.jobs.filter((job) => job.type === 'paasmaker.job.heart.deregister')).toHaveLength(1);
    const after = await pacemaker().model.instances.list({ instanceTypeId: webTypeId });
    expect(after.map((instance) => instance.state).sort()).toEqual(['DEREGISTERED', 'RUNNING']);
    const retired = after.find((instance) => instance.state === 'DEREGISTERED');
    expect(before.map((instance) => instance.uuid)).toContain(retired?.uuid);
    expect(heartInstances()).toEqual([
      { id: after.find((i) => i.state === 'RUNNING')?.uuid, state: 'RUNNING' },
    ]);
    expect(await answeringPorts(10)).toHaveProperty('size', 1);
    const routed = pacemaker()
      .routing.lookup(hostnameOf('hello-node'))
      .routes.map((route) => route.instanceId);
    expect(routed).toEqual(after.filter((i) => i.state === 'RUNNING').map((i) => i.uuid));
  }, 180_000);

  it('refuses a quantity that is not a whole number of at least 1, changing nothing', async () => {
    for (const quantity of [0, -1, 1.5, 'two', null]) {
      const answer = await api('PATCH', scalePath(), { quantity });
      expect(answer.status).toBe(400);
      expect(answer.body.error.code).toBe('E_API_REQUEST_INVALID');
      expect(answer.body.error.fields.map((field: { field: string }) => field.field)).toEqual([
        'body/quantity',
      ]);
    }
    expect((await api('PATCH', scalePath(), {})).status).toBe(400);
    expect((await pacemaker().model.instanceTypes.get(webTypeId)).quantity).toBe(1);
  });

  it('answers 404 for an instance type of another version', async () => {
    const answer = await api('PATCH', `/versions/${versionId}/instance-types/${webTypeId + 1000}`, {
      quantity: 2,
    });
    expect(answer.status).toBe(404);
  });

  it('only records the quantity of a stopped version (no tree); its next start runs that many', async () => {
    const { actions, jobs } = pacemaker();
    await jobs.waitForTree((await actions.stop(versionId)).treeId);
    const answer = await api('PATCH', scalePath(), { quantity: 2 });
    expect(answer.status).toBe(202);
    expect(answer.body.data).toEqual({ quantity: 2, treeId: null });
    expect(heartInstances().map((instance) => instance.state)).toEqual(['STOPPED']);
    await jobs.waitForTree((await actions.start(versionId)).treeId);
    expect(heartInstances().map((instance) => instance.state)).toEqual(['RUNNING', 'RUNNING']);
    expect(await answeringPorts(20)).toHaveProperty('size', 2);
    await scale(1);
  }, 180_000);

  it('refuses a user without APPLICATION_CREATE on the workspace with 403', async () => {
    const { model } = pacemaker();
    const workspace = (await model.workspaces.findByStub('default')) ?? expect.unreachable();
    const role = await api('POST', '/roles', {
      name: 'deployer',
      permissions: ['WORKSPACE_VIEW', 'APPLICATION_DEPLOY'],
    });
    const user = await api('POST', '/users', {
      login: 'deployer',
      email: 'deployer@example.test',
      name: 'Deployer',
      password: newToken(),
    });
    await api('POST', '/role-allocations', {
      userId: user.body.data.id,
      roleId: role.body.data.id,
      workspaceId: workspace.id,
    });
    const key = (await api('POST', `/users/${user.body.data.id}/api-keys`, {})).body.data.key;
    expect((await api('GET', `/versions/${versionId}`, undefined, key)).status).toBe(200);
    const answer = await api('PATCH', scalePath(), { quantity: 3 }, key);
    expect(answer.status).toBe(403);
    expect(answer.body.error.code).toBe('E_API_FORBIDDEN');
    expect((await model.instanceTypes.get(webTypeId)).quantity).toBe(1);
  });
});
