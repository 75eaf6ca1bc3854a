// Deploys that fail, on a real bespoke PaaS (git, processes, HTTP): each ends with the tree
// FAILED or ABORTED, a message saying why, and nothing left running or routed; a good deploy
// still works afterwards.
import { access, mkdir } from 'node:fs/promises';
import path from 'node:path';
import {
  type DeploySource,
  isProcessRunning,
  type PaasmakerNode,
  readProcessRecord,
  type TreeRecord,
} from '@paasmaker/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeRawTarGz } from '../../../packages/core/test/packages/tar-fixture';
import { deployFromGit, startBespokePaas } from '../src/bespoke-paas';
import {
  aliveInstancePids,
  gitRepo,
  hostnameOf,
  httpGet,
  instancePortBlock,
  killLeftovers,
  routerPort,
  TempFolders,
} from './paas-test-helpers';

const temp = new TempFolders();
let dataFolder: string;
let node: PaasmakerNode;
let workspaceId: number;

const pacemaker = () => {
  if (!node.pacemaker) throw new Error('no pacemaker');
  return node.pacemaker;
};

beforeAll(async () => {
  dataFolder = await temp.make();
  node = await startBespokePaas({ dataFolder, instancePorts: instancePortBlock(1) });
  workspaceId = (await pacemaker().model.workspaces.create({ name: 'Default', stub: 'default' })).id;
}, 30_000);

afterAll(async () => {
  await node?.close();
  const leftovers = dataFolder ? await killLeftovers(dataFolder) : [];
  await temp.removeAll();
  expect(leftovers).toEqual([]);
}, 30_000);

/** A manifest for app `name` (the hello-node one with changes). */
function manifest(name: string, options: { prepare?: string; instance?: string; healthCheck?: string } = {}) {
  return `manifest:
  format: 1

application:
  name: ${name}
  prepare:
    commands:
      - plugin: paasmaker.prepare.shell
        parameters:
          commands:
            - ${options.prepare ?? 'echo prepared > BUILD_INFO'}

instances:
  - name: web
    quantity: 1
${options.instance ?? ''}    runtime:
      plugin: paasmaker.runtime.node
      version: "20"
    health_check:
${options.healthCheck ?? '      path: /\n      timeout: 20'}
`;
}

/** Starts a deploy, waits for its tree to end badly and returns it with every failed job's summary and log. */
async function failedDeploy(source: DeploySource): Promise<{ tree: TreeRecord; text: string }> {
  const { actions, jobs } = pacemaker();
  const { treeId } = await actions.deploy(workspaceId, source);
  // waitForTree resolves with the tree however it ended (it does not reject on failure).
  await jobs.waitForTree(treeId);
  const tree = await jobs.getTree(treeId);
  expect(['FAILED', 'ABORTED']).toContain(tree.jobs[0]?.state);
  const failed = tree.jobs.filter((job) => job.state === 'FAILED');
  expect(failed.length).toBeGreaterThan(0);
  const parts: string[] = [];
  for (const job of failed) {
    parts.push(`[${job.type}] ${job.summary ?? ''}`);
    const log = await jobs.logs.read(job.id, 0);
    if (log) parts.push(log.text);
  }
  return { tree, text: parts.join('\n') };
}

/** Nothing of `app` runs or is routed, and none of its versions or instances is RUNNING. */
async function expectNothingLeft(app: string): Promise<void> {
  const { model, routing } = pacemaker();
  const heart = node.heart;
  if (!heart) throw new Error('no heart');
  // No instance process alive at all (no good deploy runs while the failure cases run).
  for (const instance of heart.instances()) {
    const record = await readProcessRecord(
      path.join(dataFolder, 'heart', 'instances', instance.instanceId, 'state'),
    );
    expect(
      record === undefined || !isProcessRunning(record),
      `instance ${instance.instanceId} still runs`,
    ).toBe(true);
    expect(['RUNNING', 'STARTING']).not.toContain(instance.state);
  }
  expect(await aliveInstancePids(dataFolder)).toEqual([]);
  // No route for the app's hostnames.
  for (const hostname of routing.hostnames().filter((h) => h.includes(`.${app}.`))) {
    expect(routing.routes(hostname), hostname).toEqual([]);
  }
  expect(routing.lookup(hostnameOf(app)).routes).toEqual([]);
  // No version or instance RUNNING in the model.
  const application = (await model.applications.list({ workspaceId })).find((a) => a.name === app);
  if (application) {
    for (const version of await model.versions.list({ applicationId: application.id })) {
      expect(version.state, `version ${version.number}`).not.toBe('RUNNING');
    }
  }
  expect(await model.instances.list({ state: 'RUNNING' })).toEqual([]);
}

describe('bespoke PaaS: failed deploys', () => {
  it('refuses a manifest with a bad field, naming manifest.yml and the line', async () => {
    const location = await gitRepo(temp, {
      'manifest.yml': manifest('bad-manifest', { instance: '    colour: blue\n' }).replace(
        'quantity: 1',
        'quantity: many',
      ),
    });
    const { text } = await failedDeploy({ scm: 'paasmaker.scm.git', parameters: { location } });
    expect(text).toContain('E_MANIFEST_INVALID');
    // `quantity: many` is on line 15 of the manifest above, the unknown `colour` on line 16.
    expect(text).toContain('manifest.yml:15: instances.0.quantity: must be an integer');
    expect(text).toContain('manifest.yml:16: instances.0.colour: unknown key');
    await expectNothingLeft('bad-manifest');
  }, 60_000);

  it('refuses a branch that looks like a git option, running nothing', async () => {
    const location = await gitRepo(temp, { 'manifest.yml': manifest('bad-ref') });
    const marker = path.join(await temp.make(), 'pwned');
    const applicationsBefore = await pacemaker().model.applications.list({ workspaceId });
    const { text } = await failedDeploy({
      scm: 'paasmaker.scm.git',
      parameters: { location, branch: `--upload-pack=touch ${marker}` },
    });
    expect(text).toContain('E_SCM_UNSAFE_INPUT');
    expect(text).toMatch(/branch/i);
    await expect(access(marker)).rejects.toThrow();
    expect(await pacemaker().model.applications.list({ workspaceId })).toEqual(applicationsBefore);
    await expectNothingLeft('bad-ref');
  }, 60_000);

  it('fails on a branch that does not exist, naming it', async () => {
    const location = await gitRepo(temp, { 'manifest.yml': manifest('bad-ref') });
    const { text } = await failedDeploy({
      scm: 'paasmaker.scm.git',
      parameters: { location, branch: 'no-such-branch' },
    });
    expect(text).toContain('E_SCM_FAILED');
    expect(text).toContain('branch "no-such-branch" not found');
    await expectNothingLeft('bad-ref');
  }, 60_000);

  it('fails on a prepare command that exits 3, naming the command and its exit code', async () => {
    const location = await gitRepo(temp, {
      'manifest.yml': manifest('bad-prepare', { prepare: 'echo about to fail && exit 3' }),
    });
    const { text } = await failedDeploy({ scm: 'paasmaker.scm.git', parameters: { location } });
    expect(text).toContain('Command `echo about to fail && exit 3` exited with code 3');
    expect(text).toContain('E_COMMAND_FAILED');
    // The command's own output is in the log too.
    expect(text).toContain('about to fail');
    await expectNothingLeft('bad-prepare');
  }, 60_000);

  it('fails an app that never opens its port within its health check timeout', async () => {
    const location = await gitRepo(temp, {
      'manifest.yml': manifest('never-listens', { healthCheck: '      timeout: 2' }),
      'server.js': 'setInterval(() => {}, 1000);\n',
    });
    const { text } = await failedDeploy({ scm: 'paasmaker.scm.git', parameters: { location } });
    expect(text).toContain('E_INSTANCE_START');
    expect(text).toMatch(
      /never-listens version 1, web\) did not start: did not accept connections on port \d+ within 2 s/,
    );
    await expectNothingLeft('never-listens');
  }, 90_000);

  it('fails fast on an app that crashes at start', async () => {
    const location = await gitRepo(temp, {
      // A health check timeout far beyond this test's own timeout: the deploy can only finish in
      // time if the heart notices the exit instead of waiting for the health check to give up.
      'manifest.yml': manifest('crashes', { healthCheck: '      path: /\n      timeout: 600' }),
      'server.js': "throw new Error('crash at start');\n",
    });
    const { text } = await failedDeploy({ scm: 'paasmaker.scm.git', parameters: { location } });
    expect(text).toContain('E_INSTANCE_START');
    expect(text).toContain('(crashes version 1, web) did not start: process exited');
    // The end of the instance's own log (its stack trace) is copied into the job log.
    expect(text).toContain('Error: crash at start');
    await expectNothingLeft('crashes');
  }, 60_000);

  it('refuses an uploaded archive with a ../ entry, writing nothing outside', async () => {
    const uploads = path.join(dataFolder, 'uploads');
    await mkdir(uploads, { recursive: true });
    const escaped = `escaped-${process.pid}-${Date.now()}.txt`;
    const archive = await writeRawTarGz(path.join(uploads, 'x.tar.gz'), [
      { path: 'manifest.yml', type: '0', body: manifest('hostile-upload') },
      { path: `../${escaped}`, type: '0', body: 'outside' },
      { path: `../../${escaped}`, type: '0', body: 'outside' },
    ]);
    const { text } = await failedDeploy({ scm: 'paasmaker.scm.upload', parameters: { location: archive } });
    expect(text).toContain('E_PACKAGE_UNSAFE_ENTRY');
    expect(text).toContain(`../${escaped}`);
    for (const folder of [dataFolder, uploads, path.dirname(dataFolder), path.join(dataFolder, 'packages')]) {
      await expect(access(path.join(folder, escaped))).rejects.toThrow();
    }
    await expectNothingLeft('hostile-upload');
  }, 60_000);

  it('still deploys hello-node after all those failures, and it answers through the router', async () => {
    const location = await gitRepo(temp);
    const tree = await deployFromGit(node, location);
    expect(tree.jobs[0]?.state).toBe('SUCCESS');
    const answer = await httpGet(routerPort(node), hostnameOf('hello-node'));
    expect(answer.status).toBe(200);
    expect(answer.body).toMatch(/^Hello from hello-node version 1\b/);
    // Only hello-node's instance runs.
    const running = (node.heart?.instances() ?? []).filter((i) => i.state === 'RUNNING');
    expect(running.map((i) => i.registration.application.name)).toEqual(['hello-node']);
    expect(await aliveInstancePids(dataFolder)).toHaveLength(1);
  }, 90_000);
});
