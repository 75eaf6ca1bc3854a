// Clean ends, on a real PaaS in this process (git, processes, HTTP): deleting an app leaves
// nothing of it on the heart, in the package store or in the routing table; a failed deploy
// leaves no working folder; config vars reach an instance started after they were set; a node
// nobody can reach is not registered.
import { access, readdir, readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import path from 'node:path';
import { API_PREFIX, type PaasmakerNode } from '@paasmaker/core';
import nodeRuntime from '@paasmaker/plugin-runtime-node';
import gitScm from '@paasmaker/plugin-scm-git';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deployFromGit } from '../src/bespoke-paas';
import {
  gitRepo,
  HELLO_NODE,
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

const temp = new TempFolders();
const superToken = newToken();
const nodeToken = newToken();
let dataFolder: string;
let node: PaasmakerNode;

const pacemaker = () => {
  if (!node.pacemaker) throw new Error('no pacemaker');
  return node.pacemaker;
};

/** An API request with a bearer token; resolves with the status and the parsed body. */
async function api(method: string, route: string, body?: unknown, token = superToken) {
  const response = await fetch(`${pacemaker().url}${API_PREFIX}${route}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

/** A repository of hello-node named `name`, with `prepare` as its prepare command if given. */
async function helloRepo(name: string, prepare?: string): Promise<string> {
  let manifest = (await readFile(path.join(HELLO_NODE, 'manifest.yml'), 'utf8')).replace(
    'name: hello-node',
    `name: ${name}`,
  );
  if (prepare) manifest = manifest.replace(/- echo "built at .*"/, `- ${prepare}`);
  return gitRepo(temp, { 'manifest.yml': manifest });
}

async function applicationNamed(name: string) {
  const { model } = pacemaker();
  const workspace = await model.workspaces.findByStub('default');
  if (!workspace) throw new Error('no default workspace');
  const found = (await model.applications.list({ workspaceId: workspace.id })).find((a) => a.name === name);
  if (!found) throw new Error(`no application ${name}`);
  return found;
}

const exists = (file: string) =>
  access(file).then(
    () => true,
    () => false,
  );

beforeAll(async () => {
  dataFolder = await temp.make();
  node = await startNode(
    {
      name: 'clean-ends',
      dataFolder,
      roles: {
        pacemaker: { superToken, nodeToken, api: { port: 0 } },
        heart: { stopInstancesOnClose: true, ports: instancePortBlock(10) },
        router: { port: 0 },
      },
    },
    [nodeRuntime, { plugin: gitScm, options: { cacheDirectory: path.join(dataFolder, 'git-cache') } }],
  );
}, 30_000);

afterAll(async () => {
  await node?.close();
  const leftovers = dataFolder ? await killLeftovers(dataFolder) : [];
  await temp.removeAll();
  expect(leftovers).toEqual([]);
}, 30_000);

describe('clean ends', () => {
  it('app delete stops and removes its instances, package and hostnames, then its rows', async () => {
    await deployFromGit(node, await helloRepo('gone-app'));
    const hostname = hostnameOf('gone-app');
    expect((await httpGet(routerPort(node), hostname)).status).toBe(200);
    const application = await applicationNamed('gone-app');
    const { model, jobs } = pacemaker();
    const [version] = await model.versions.list({ applicationId: application.id });
    if (!version?.sourcePath) throw new Error('the version has no package');
    const packageFile = path.join(dataFolder, 'packages', path.basename(version.sourcePath));
    expect(await exists(packageFile)).toBe(true);
    const heart = node.heart;
    if (!heart) throw new Error('no heart');
    const instanceIds = heart.instances().map((instance) => instance.instanceId);
    expect(instanceIds.length).toBeGreaterThan(0);

    // The version is current and RUNNING: deleting the app stops it first.
    const deleted = await api('DELETE', `/applications/${application.id}`);
    expect(deleted.status, JSON.stringify(deleted.body)).toBe(202);
    const tree = await jobs.waitForTree(deleted.body.data.treeId);
    expect(tree.jobs[0]?.state, JSON.stringify(tree.jobs.map((j) => [j.type, j.state, j.summary]))).toBe(
      'SUCCESS',
    );

    expect(heart.instances().filter((instance) => instanceIds.includes(instance.instanceId))).toEqual([]);
    const processes = await recordedProcesses(dataFolder);
    expect(processes.filter((p) => instanceIds.includes(p.instanceId) && p.alive)).toEqual([]);
    for (const instanceId of instanceIds)
      expect(await exists(path.join(dataFolder, 'heart', 'instances', instanceId))).toBe(false);
    expect(await exists(packageFile)).toBe(false);
    expect((await httpGet(routerPort(node), hostname)).status).toBe(404);
    expect((await httpGet(routerPort(node), `${version.number}.${hostname}`)).status).toBe(404);
    expect((await api('GET', `/applications/${application.id}`)).status).toBe(404);
  }, 120_000);

  it('a deploy failing in prepare leaves no folder in the work folder', async () => {
    const { actions, jobs, model } = pacemaker();
    const workspace = await model.workspaces.findByStub('default');
    if (!workspace) throw new Error('no default workspace');
    const location = await helloRepo('broken-prepare', 'exit 3');
    const { treeId } = await actions.deploy(workspace.id, {
      scm: 'paasmaker.scm.git',
      parameters: { location },
    });
    const tree = await jobs.waitForTree(treeId);
    const failed = tree.jobs.find((job) => job.state === 'FAILED');
    expect(failed?.type).toBe('paasmaker.job.prepare.preparer');
    expect(await readdir(path.join(dataFolder, 'work')).catch(() => [])).toEqual([]);
  }, 120_000);

  it('config vars set after registering reach the instance at its next start', async () => {
    await deployFromGit(node, await helloRepo('env-app'));
    const hostname = hostnameOf('env-app');
    expect((await httpGet(routerPort(node), hostname)).body).toMatch(/^Hello from/);
    const application = await applicationNamed('env-app');
    const set = await api('PATCH', `/applications/${application.id}/config`, { vars: { GREETING: 'Howdy' } });
    expect(set.status, JSON.stringify(set.body)).toBe(200);

    const { actions, jobs, model } = pacemaker();
    const [version] = await model.versions.list({ applicationId: application.id });
    if (!version) throw new Error('no version');
    for (const action of [() => actions.stop(version.id), () => actions.start(version.id)]) {
      const tree = await jobs.waitForTree((await action()).treeId);
      expect(tree.jobs[0]?.state).toBe('SUCCESS');
    }
    expect((await httpGet(routerPort(node), hostname)).body).toMatch(/^Howdy from hello-node/);
  }, 120_000);

  it('refuses to register a node nothing answers on (422 E_NODE_UNREACHABLE)', async () => {
    // A port that was free a moment ago: nothing listens on it.
    const closedPort = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, '127.0.0.1', () => {
        const { port } = server.address() as { port: number };
        server.close(() => resolve(port));
      });
    });
    const registration = {
      name: 'ghost-node',
      route: '127.0.0.1',
      apiPort: closedPort,
      roles: { heart: true },
      runtimes: { 'paasmaker.runtime.node': ['20'] },
      tags: {},
    };
    const refused = await api('POST', '/nodes/register', registration, nodeToken);
    expect(refused.status, JSON.stringify(refused.body)).toBe(422);
    expect(refused.body.error.code).toBe('E_NODE_UNREACHABLE');
    expect((await pacemaker().model.nodes.list()).map((n) => n.name)).not.toContain('ghost-node');
    // This node's own heart registered (its address answers), so the probe lets reachable nodes in.
    expect((await pacemaker().model.nodes.list()).map((n) => n.name)).toContain('clean-ends');
  }, 30_000);
});
