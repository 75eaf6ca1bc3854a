import { execFileSync } from 'node:child_process';
import { chmod, cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { API_PREFIX, type PaasmakerNode, type RouterStatsSeries } from '@paasmaker/core';
import { patient } from '@paasmaker/test-servers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deployFromGit, startBespokePaas } from '../src/bespoke-paas';
import { expectCountedOk, httpGet, instancePortBlock } from './paas-test-helpers';

const helloNode = fileURLToPath(new URL('../../apps/hello-node', import.meta.url));
const HOST = 'web.hello-node.default.paasmaker.localhost';
const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });

/** A GET through the router, on the keep-alive agent the load tests share. */
const get = (router: string, host: string) => httpGet(Number(new URL(router).port), host, '/', agent);

const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', ['-c', 'user.name=test', '-c', 'user.email=test@example.com', ...args], { cwd });

describe('the bespoke PaaS, end to end on the embedded defaults', () => {
  let folder: string;
  let repo: string;
  let node: PaasmakerNode;
  let router: string;

  beforeAll(async () => {
    folder = await mkdtemp(path.join(tmpdir(), 'pm-bespoke-'));
    await chmod(folder, 0o711);
    repo = path.join(folder, 'hello-node');
    await cp(helloNode, repo, { recursive: true });
    git(repo, 'init', '-q', '-b', 'main');
    git(repo, 'add', '-A');
    git(repo, 'commit', '-qm', 'version 1');
    node = await startBespokePaas({
      dataFolder: path.join(folder, 'data'),
      instancePorts: instancePortBlock(0),
    });
    router = node.router?.url ?? '';
  });
  const helloInstances = () =>
    (node.heart?.instances() ?? []).filter(
      (instance) => instance.registration.application.name === 'hello-node',
    );

  afterAll(async () => {
    agent.destroy();
    await node?.close();
    await rm(folder, { recursive: true, force: true });
  });

  it('deploys from git and answers through the router on the generated hostnames', async () => {
    const tree = await deployFromGit(node, repo);
    expect(tree.jobs.every((job) => job.state === 'SUCCESS')).toBe(true);
    expect(await get(router, HOST)).toEqual({ status: 200, body: 'Hello from hello-node version 1\n' });
    expect((await get(router, `1.${HOST}`)).status).toBe(200);
    expect((await get(router, `2.${HOST}`)).status).toBe(404);
    const [instance] = node.heart?.instances() ?? [];
    expect(instance?.state).toBe('RUNNING');
    expect(await readFile(path.join(folder, 'data'), { encoding: 'utf8' }).catch(() => 'folder')).toBe(
      'folder',
    );
  });

  it("serves the built-in router's stats for the version from the pacemaker API (in memory)", async () => {
    const admin = node.firstStart ?? expect.unreachable();
    const authorization = `Basic ${Buffer.from(`${admin.login}:${admin.password}`).toString('base64')}`;
    const model = node.pacemaker?.model ?? expect.unreachable();
    const [application] = (await model.applications.list()).filter((app) => app.name === 'hello-node');
    const [version] = await model.versions.list({ applicationId: application?.id ?? 0 });
    const totals = async () => {
      const response = await fetch(`${admin.url}${API_PREFIX}/stats/versions/${version?.id}?minutes=10`, {
        headers: { authorization },
      });
      return ((await response.json()) as { data: RouterStatsSeries }).data.totals;
    };
    const before = (await totals()).requests;
    for (let i = 0; i < 4; i += 1) expect((await get(router, HOST)).status).toBe(200);
    expect((await get(router, `1.${HOST}`)).status).toBe(200);
    await expectCountedOk(totals, before + 5);
  });

  it('makes a second version current under load without a failed request, then rolls back', async () => {
    await writeFile(
      path.join(repo, 'server.js'),
      (await readFile(path.join(repo, 'server.js'), 'utf8')).replace("'Hello'", "'Howdy'"),
    );
    git(repo, 'commit', '-qam', 'version 2');
    const seen = new Set<string>();
    let failed = 0;
    let served = 0;
    let loading = true;
    const client = async () => {
      while (loading) {
        const response = await get(router, HOST).catch(() => ({ status: 0, body: '' }));
        if (response.status === 200) {
          served += 1;
          seen.add(response.body);
        } else failed += 1;
      }
    };
    const load = Promise.all(Array.from({ length: 4 }, client));
    await deployFromGit(node, repo);
    loading = false;
    await load;
    expect(failed).toBe(0);
    expect(served).toBeGreaterThan(50);
    expect(seen).toEqual(new Set(['Hello from hello-node version 1\n', 'Howdy from hello-node version 2\n']));
    expect((await get(router, HOST)).body).toBe('Howdy from hello-node version 2\n');

    const { model, actions, jobs } = node.pacemaker ?? expect.unreachable();
    const [application] = await model.applications.list();
    const versions = await model.versions.list({ applicationId: application?.id });
    expect(versions.map((v) => [v.number, v.state, v.isCurrent])).toEqual([
      [1, 'READY', false],
      [2, 'RUNNING', true],
    ]);

    await jobs.waitForTree((await actions.rollback(application?.id ?? 0)).treeId);
    expect((await get(router, HOST)).body).toBe('Hello from hello-node version 1\n');
    const after = await model.versions.list({ applicationId: application?.id });
    expect(after.map((v) => [v.number, v.state, v.isCurrent])).toEqual([
      [1, 'RUNNING', true],
      [2, 'READY', false],
    ]);
  });

  it('gives instances their services, metadata and config vars', async () => {
    const echo = path.join(folder, 'env-echo');
    await cp(helloNode, echo, { recursive: true });
    await writeFile(
      path.join(echo, 'server.js'),
      "require('node:http').createServer((q, r) => r.end(JSON.stringify({ services: JSON.parse(process.env.PM_SERVICES), metadata: JSON.parse(process.env.PM_METADATA), greeting: process.env.GREETING ?? null, port: process.env.PORT === process.env.PM_PORT }))).listen(Number(process.env.PORT));\n",
    );
    const manifest = (await readFile(path.join(echo, 'manifest.yml'), 'utf8')).replace(
      'name: hello-node',
      'name: env-echo',
    );
    await writeFile(
      path.join(echo, 'manifest.yml'),
      `${manifest}\nservices:\n  - name: settings\n    plugin: paasmaker.service.parameters\n    parameters: { feature: enabled }\n`,
    );
    git(echo, 'init', '-q', '-b', 'main');
    git(echo, 'add', '-A');
    git(echo, 'commit', '-qm', 'env echo');
    await deployFromGit(node, echo);
    const host = HOST.replace('hello-node', 'env-echo');
    const first = JSON.parse((await get(router, host)).body);
    expect(first).toMatchObject({
      services: {
        settings: { protocol: 'parameters', feature: 'enabled', provider: 'paasmaker.service.parameters' },
      },
      metadata: { application: { name: 'env-echo', version: 1, workspace_stub: 'default' } },
      greeting: null,
      port: true,
    });

    const { model } = node.pacemaker ?? expect.unreachable();
    const application = (await model.applications.list()).find((app) => app.name === 'env-echo');
    await model.applications.update(application?.id ?? 0, { configVars: { GREETING: 'Bonjour' } });
    await deployFromGit(node, echo);
    expect(JSON.parse((await get(router, host)).body)).toMatchObject({
      greeting: 'Bonjour',
      metadata: { application: { version: 2 } },
    });
  });

  it('restarts an instance whose process dies, and routes it again', async () => {
    const [instance] = helloInstances().filter((i) => i.state === 'RUNNING');
    if (!instance) throw new Error('no running instance');
    const stateFile = path.join(
      folder,
      'data',
      'heart',
      'instances',
      instance.instanceId,
      'state',
      'process.json',
    );
    const before = JSON.parse(await readFile(stateFile, 'utf8')) as { pid: number };
    process.kill(-before.pid, 'SIGKILL');
    await expect
      .poll(async () => JSON.parse(await readFile(stateFile, 'utf8').catch(() => '{}')).pid, {
        timeout: patient(20_000),
      })
      .not.toBe(before.pid);
    await expect.poll(async () => (await get(router, HOST)).status, { timeout: patient(20_000) }).toBe(200);
    const { model } = node.pacemaker ?? expect.unreachable();
    await expect
      .poll(async () => (await model.instances.findByUuid(instance.instanceId))?.state)
      .toBe('RUNNING');
  });

  it('refuses to delete the current version, and deletes a stopped one with its instances', async () => {
    const { model, actions, jobs } = node.pacemaker ?? expect.unreachable();
    const [application] = await model.applications.list();
    const [first, second] = await model.versions.list({ applicationId: application?.id });
    await expect(actions.delete(first?.id ?? 0)).rejects.toMatchObject({ code: 'E_INSTANCE_STATE' });

    await jobs.waitForTree((await actions.delete(second?.id ?? 0)).treeId);
    expect((await model.versions.list({ applicationId: application?.id })).map((v) => v.number)).toEqual([1]);
    expect((await get(router, `2.${HOST}`)).status).toBe(404);
    expect(helloInstances().map((instance) => instance.state)).toEqual(['RUNNING']);

    await jobs.waitForTree((await actions.stop(first?.id ?? 0)).treeId);
    expect(helloInstances().map((instance) => instance.state)).toEqual(['STOPPED']);
    const unrouted = await get(router, HOST);
    expect(unrouted.status).toBe(503);
  });
  it("runs the current version's crons against a running instance", async () => {
    const manifest = await readFile(path.join(repo, 'manifest.yml'), 'utf8');
    await writeFile(
      path.join(repo, 'manifest.yml'),
      manifest.replace(
        '    health_check:',
        '    crons:\n      - runspec: "*/5 * * * *"\n        uri: /tasks/ping\n    health_check:',
      ),
    );
    git(repo, 'commit', '-qam', 'a cron');
    await deployFromGit(node, repo);
    const { crons, jobs } = node.pacemaker ?? expect.unreachable();
    expect(await crons.tick(new Date('2026-11-30T16:41:00Z'))).toEqual([]);
    const [treeId] = await crons.tick(new Date('2026-11-30T16:45:00Z'));
    const tree = await jobs.waitForTree(treeId ?? '');
    expect(tree.jobs[0]).toMatchObject({ state: 'SUCCESS', summary: 'GET /tasks/ping answered 200.' });

    expect((await jobs.logs.read(treeId ?? '', 0))?.text).toMatch(/(Hello|Howdy) from hello-node version \d/);
  });
});
