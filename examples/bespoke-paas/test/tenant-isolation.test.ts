// The attack suite: a user scoped to one workspace deploys apps whose prepare step, startup
// step, running instance and cron each try to reach the node's tokens, database and process,
// another tenant's folder and environment, and to write into the node's data folder; every
// attempt must fail, and nothing the user can read back through the API may hold a secret.
// Run as root (as CI does): isolation needs it. A control run with isolation off shows the
// same probe does find the secrets, so the suite cannot pass by probing nothing.
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PaasmakerNode } from '@paasmaker/core';
import nodeRuntime from '@paasmaker/plugin-runtime-node';
import phpRuntime from '@paasmaker/plugin-runtime-php';
import gitScm from '@paasmaker/plugin-scm-git';
import { apacheSettings } from '@paasmaker/test-servers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  gitRepo,
  hostnameOf,
  httpGet,
  newToken,
  recordedProcesses,
  routerPort,
  startNode,
  TempFolders,
} from './paas-test-helpers';

const ATTACK = fileURLToPath(new URL('./attack', import.meta.url));
const CANARY_NAME = 'PAASMAKER_TEST_CANARY_SECRET';

interface Probe {
  stage: string;
  uid: number;
  results: Record<string, string>;
}

/** One node (as `paasmaker up` would run it, tokens in `<data>/tokens.json`) and an API client. */
class AttackedNode {
  node!: PaasmakerNode;
  data = '';
  readonly tokens = { superToken: newToken(), nodeToken: newToken() };
  readonly canary = `canary-${newToken()}`;
  private cronMinute = 0;

  constructor(
    private readonly temp: TempFolders,
    private readonly isolation: Record<string, unknown>,
    private readonly portBlock: { min: number; max: number },
  ) {}

  async start(): Promise<void> {
    this.data = await this.temp.make('pm-attack-');
    await writeFile(path.join(this.data, 'tokens.json'), JSON.stringify(this.tokens), { mode: 0o600 });
    const { bin, modulesDir, phpModule } = apacheSettings();
    process.env[CANARY_NAME] = this.canary;
    this.node = await startNode(
      {
        name: 'attacked',
        dataFolder: this.data,
        isolation: this.isolation,
        roles: {
          pacemaker: { ...this.tokens, api: { port: 0 } },
          heart: { stopInstancesOnClose: true, ports: this.portBlock },
          router: { port: 0 },
        },
      },
      [
        nodeRuntime,
        { plugin: phpRuntime, options: { apacheBinary: bin, modulesDirectory: modulesDir, phpModule } },
        { plugin: gitScm, options: { cacheDirectory: path.join(this.data, 'git-cache') } },
      ],
    );
  }

  async close(): Promise<void> {
    delete process.env[CANARY_NAME];
    await this.node?.close();
  }

  /** Every secret of the node that tenant code and workspace users must never see. */
  secrets(): string[] {
    return [this.tokens.superToken, this.tokens.nodeToken, this.canary];
  }

  async api<T>(token: string, method: string, route: string, body?: unknown): Promise<T> {
    const response = await this.raw(token, method, route, body);
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${route} answered ${response.status}: ${text}`);
    // JSON answers carry their value in `data`; logs are plain text.
    return (response.headers.get('content-type')?.includes('json') ? JSON.parse(text).data : text) as T;
  }

  raw(token: string, method: string, route: string, body?: unknown): Promise<Response> {
    const url = `${this.node.pacemaker?.url}/api/v1${route}`;
    return fetch(url, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  }

  /** A workspace and a user whose role (every permission) is allocated on it alone; their API key. */
  async scopedUser(stub: string): Promise<{ workspaceId: number; key: string }> {
    const sup = this.tokens.superToken;
    const workspace = await this.api<{ id: number }>(sup, 'POST', '/workspaces', { name: stub, stub });
    const role = await this.api<{ id: number }>(sup, 'POST', '/roles', {
      name: `all-${stub}`,
      permissions: 'ALL',
    });
    const user = await this.api<{ id: number }>(sup, 'POST', '/users', {
      login: `user-${stub}`,
      email: `${stub}@example.test`,
      name: stub,
      password: newToken(),
    });
    await this.api(sup, 'POST', '/role-allocations', {
      userId: user.id,
      roleId: role.id,
      workspaceId: workspace.id,
    });
    const { key } = await this.api<{ key: string }>(sup, 'POST', `/users/${user.id}/api-keys`, {});
    return { workspaceId: workspace.id, key };
  }

  /** Deploys the git repository as `key`, waits for the tree, and returns it as the user reads it. */
  async deploy(key: string, workspaceId: number, location: string) {
    const { treeId } = await this.api<{ treeId: string }>(key, 'POST', `/workspaces/${workspaceId}/deploys`, {
      scm: 'paasmaker.scm.git',
      parameters: { location },
    });
    await this.node.pacemaker?.jobs.waitForTree(treeId).catch(() => undefined);
    return this.api<{ jobs: { id: string; state: string; summary?: string }[] }>(
      key,
      'GET',
      `/jobs/${treeId}/tree`,
    );
  }

  /** Runs the crons due at one minute (every `* * * * *` cron); the job log of the one calling `uri`, as the user reads it. */
  async runCrons(key: string, uri: string): Promise<string> {
    const { crons, jobs } = this.node.pacemaker ?? expect.unreachable();
    this.cronMinute += 1;
    const logs: string[] = [];
    for (const treeId of await crons.tick(new Date(Date.UTC(2026, 11, 6, 12, this.cronMinute)))) {
      const tree = await jobs.waitForTree(treeId);
      logs.push(
        await this.jobLogs(
          key,
          tree.jobs.map((job) => job.id),
        ),
      );
    }
    const calling = logs.filter((log) => log.includes(uri));
    expect(calling.length).toBe(1);
    return calling[0] ?? '';
  }

  /** Every instance log of an application, as the user reads them through the API. */
  async instanceLogs(user: { workspaceId: number; key: string }, name: string): Promise<string> {
    const id = await applicationId(this, user, name);
    const { instances } = await this.api<{ instances: { uuid: string }[] }>(
      user.key,
      'GET',
      `/applications/${id}/instances`,
    );
    let text = '';
    for (const instance of instances)
      text += await this.api<string>(user.key, 'GET', `/applications/${id}/instances/${instance.uuid}/log`);
    return text;
  }

  /** Every job log of a tree, as the user reads them through the API. */
  async jobLogs(key: string, jobIds: readonly string[]): Promise<string> {
    const logs: string[] = [];
    for (const id of jobIds) {
      const response = await this.raw(key, 'GET', `/jobs/${id}/log`);
      if (response.ok) logs.push(await response.text());
    }
    return logs.join('\n');
  }
}

/** The probes found in some text (job logs, an HTTP answer). */
function probesIn(text: string): Probe[] {
  return [...text.matchAll(/PROBE (\{.*?\}) END/g)].map((match) => JSON.parse(match[1] ?? '{}') as Probe);
}

/** A copy of the attack app at `source` with the targets it probes beside its code. */
async function attackRepo(temp: TempFolders, source: string, targets: Record<string, unknown>) {
  const folder = await gitRepo(temp, { 'targets.json': JSON.stringify(targets) }, source);
  return folder;
}

/** Asserts a probe reached nothing: every attempt denied, no secret in its own environment. */
function expectContained(probe: Probe, secrets: readonly string[]): void {
  expect(probe.uid, `${probe.stage} ran as root`).not.toBe(0);
  for (const [what, outcome] of Object.entries(probe.results)) {
    if (what.startsWith('ownEnvironment')) continue;
    expect(outcome, `${probe.stage}: ${what}`).toMatch(/^denied/);
  }
  expect(probe.results.ownEnvironment?.split(',')).not.toContain(CANARY_NAME);
  for (const secret of secrets) expect(probe.results.ownEnvironmentValues).not.toContain(secret);
}

describe('tenant isolation (as root: a system user per application)', () => {
  const temp = new TempFolders();
  const attacked = new AttackedNode(temp, {}, { min: 65_200, max: 65_249 });
  let attacker: { workspaceId: number; key: string };
  let targets: Record<string, unknown>;

  beforeAll(async () => {
    expect(process.getuid?.(), 'the attack suite runs as root, as CI does').toBe(0);
    await attacked.start();
    const victim = await attacked.scopedUser('victim');
    const victimTree = await attacked.deploy(victim.key, victim.workspaceId, await gitRepo(temp));
    expect(victimTree.jobs[0]?.state).toBe('SUCCESS');
    const [victimInstance] = await recordedProcesses(attacked.data);
    if (!victimInstance) throw new Error('the victim app has no running instance');
    attacker = await attacked.scopedUser('attack');
    targets = {
      dataFolder: attacked.data,
      nodePid: process.pid,
      victimFolder: path.join(attacked.data, 'heart', 'instances', victimInstance.instanceId, 'app'),
      victimPid: victimInstance.pid,
    };
  });
  afterAll(async () => {
    await attacked.close();
    await temp.removeAll();
  });

  it('keeps a Node app (prepare, startup, instance, cron) away from the node and the other tenant', async () => {
    const repo = await attackRepo(temp, ATTACK, targets);
    const tree = await attacked.deploy(attacker.key, attacker.workspaceId, repo);
    expect(tree.jobs[0]?.state, JSON.stringify(tree.jobs.map((job) => job.summary))).toBe('SUCCESS');
    const logs = await attacked.jobLogs(
      attacker.key,
      tree.jobs.map((job) => job.id),
    );
    const commandProbes = probesIn(logs);
    expect(commandProbes.map((probe) => probe.stage).sort()).toEqual(['prepare', 'startup']);

    const answer = await httpGet(
      routerPort(attacked.node),
      hostnameOf('attacker').replace('default', 'attack'),
    );
    expect(answer.status).toBe(200);
    const [instanceProbe] = probesIn(answer.body);

    const cronLog = await attacked.runCrons(attacker.key, '/cron');
    const [cronProbe] = probesIn(cronLog);

    const probes = [...commandProbes, instanceProbe, cronProbe];
    expect(probes.map((probe) => probe?.stage)).toEqual(['prepare', 'startup', 'instance', 'cron']);
    for (const probe of probes) expectContained(probe ?? expect.unreachable(), attacked.secrets());
    // Every probe ran as the same user of the attacker's own, not the victim's.
    const uids = new Set(probes.map((probe) => probe?.uid));
    expect(uids.size).toBe(1);

    const readable = `${logs}\n${cronLog}\n${answer.body}\n${await attacked.instanceLogs(attacker, 'attacker')}`;
    for (const secret of attacked.secrets()) expect(readable).not.toContain(secret);
    await expect(readFile(path.join(attacked.data, 'pwned-instance'))).rejects.toThrow();
  });

  it('keeps a PHP app (prepare, startup, Apache, cron) away from the node and the other tenant', async () => {
    const repo = await attackRepo(temp, path.join(ATTACK, 'php'), targets);
    const tree = await attacked.deploy(attacker.key, attacker.workspaceId, repo);
    expect(tree.jobs[0]?.state, JSON.stringify(tree.jobs.map((job) => job.summary))).toBe('SUCCESS');
    const logs = await attacked.jobLogs(
      attacker.key,
      tree.jobs.map((job) => job.id),
    );
    const answer = await httpGet(
      routerPort(attacked.node),
      hostnameOf('php-attacker').replace('default', 'attack'),
    );
    expect(answer.status).toBe(200);
    const cronLog = await attacked.runCrons(attacker.key, '/cron.php');
    const probes = [...probesIn(logs), ...probesIn(answer.body), ...probesIn(cronLog)];
    expect(probes.map((probe) => probe.stage)).toEqual(['prepare', 'startup', 'instance', 'cron']);
    for (const probe of probes) expectContained(probe, attacked.secrets());
    const readable = `${logs}\n${cronLog}\n${answer.body}\n${await attacked.instanceLogs(attacker, 'php-attacker')}`;
    for (const secret of attacked.secrets()) expect(readable).not.toContain(secret);
  });
});

describe('the attack suite with isolation switched off (control)', () => {
  const temp = new TempFolders();
  const attacked = new AttackedNode(temp, { mode: 'single-tenant' }, { min: 65_250, max: 65_299 });

  beforeAll(() => attacked.start());
  afterAll(async () => {
    await attacked.close();
    await temp.removeAll();
  });

  it('finds the token file and the node process from a prepare step', async () => {
    const attacker = await attacked.scopedUser('attack');
    const repo = await attackRepo(temp, ATTACK, { dataFolder: attacked.data, nodePid: process.pid });
    const tree = await attacked.deploy(attacker.key, attacker.workspaceId, repo);
    const [prepare] = probesIn(
      await attacked.jobLogs(
        attacker.key,
        tree.jobs.map((job) => job.id),
      ),
    );
    expect(prepare?.stage).toBe('prepare');
    expect(prepare?.results.tokensFile).toMatch(/^LEAKED/);
    expect(prepare?.results.signalNode).toMatch(/^LEAKED/);
  });
});

async function applicationId(
  attacked: AttackedNode,
  user: { workspaceId: number; key: string },
  name: string,
): Promise<number> {
  const applications = await attacked.api<{ id: number; name: string }[]>(
    user.key,
    'GET',
    `/workspaces/${user.workspaceId}/applications`,
  );
  const found = applications.find((application) => application.name === name);
  if (!found) throw new Error(`no application ${name}`);
  return found.id;
}
