import { appendFile, chmod, cp, mkdtemp, readFile, realpath, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import nodeRuntime from '@paasmaker/plugin-runtime-node';
import gitScm from '@paasmaker/plugin-scm-git';
import { eventually, patient } from '@paasmaker/test-servers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli';
import { resolveDeploySource } from '../../src/cli/deploy-source';
import { REDACTED } from '../../src/jobs';
import { createNode, type PaasmakerNode } from '../../src/node/create-node';
import { parseNodeConfig } from '../../src/node/node-config';
import { API_PREFIX } from '../../src/roles/pacemaker';
import { NODE_TOKEN, SUPER_TOKEN, silent, TEST_COST } from '../node/node-test-helpers';
import { capture, gitRepo, HELLO_NODE, viaRouter } from './cli-test-helpers';

describe('paasmaker deploy and friends against an embedded node', () => {
  let node: PaasmakerNode;
  let home: string;
  let routerUrl: string;

  async function run(
    args: string[],
    options: { config?: string; stopSignal?: (out: { text: string }) => Promise<string> } = {},
  ) {
    const stdout = capture();
    const stderr = capture();
    const code = await main(args, {
      stdout,
      stderr,
      env: { PAASMAKER_CONFIG_DIR: path.join(home, options.config ?? 'config') },
      ...(options.stopSignal
        ? { stopSignal: () => options.stopSignal?.(stdout) ?? Promise.resolve('') }
        : {}),
    });
    return { code, stdout: stdout.text, stderr: stderr.text };
  }

  beforeAll(async () => {
    home = await mkdtemp(path.join(tmpdir(), 'pm-cli-deploy-'));
    await chmod(home, 0o711);
    const dataFolder = path.join(home, 'data');
    const config = parseNodeConfig(
      JSON.stringify({
        name: 'cli-deploy',
        dataFolder,
        logLevel: 'silent',
        roles: {
          pacemaker: { superToken: SUPER_TOKEN, nodeToken: NODE_TOKEN, api: { port: 0 } },
          // Instance ports of its own, above the ephemeral range: other test files run PaaS nodes too.
          heart: { stopInstancesOnClose: true, ports: { min: 61_400, max: 61_499 } },
          router: { port: 0 },
        },
      }),
    );
    node = await createNode(config, {
      logger: silent,
      passwordCost: TEST_COST,
      plugins: [
        nodeRuntime,
        { plugin: gitScm, options: { cacheDirectory: path.join(dataFolder, 'git-cache') } },
      ],
    });
    routerUrl = node.router?.url ?? '';
    await node.pacemaker?.model.workspaces.create({ name: 'Default', stub: 'default' });
    const login = await run(['login', '--url', node.pacemaker?.url ?? '', '--token', SUPER_TOKEN]);
    expect(login).toMatchObject({ code: 0, stderr: '' });
  }, 60_000);
  afterAll(async () => {
    await node?.close();
    if (home) await rm(home, { recursive: true, force: true });
  }, 60_000);

  let applicationId: number;
  let versionId: number;
  let currentVersionId: number;

  it(
    'deploys a folder of a git repository, prints its URL, and the router serves it',
    async () => {
      const repo = await gitRepo(HELLO_NODE, path.join(home, 'hello-git'));
      const deployed = await run(['deploy', repo]);
      expect(deployed.stderr).toBe('');
      expect(deployed.code).toBe(0);
      expect(deployed.stdout).toContain('SUCCESS');
      const url = deployed.stdout.match(/hello-node is live: (http:\/\/\S+)/)?.[1];
      expect(url).toMatch(/^http:\/\/web\.hello-node\.default\.paasmaker\.localhost:\d+\/$/);
      const answer = await viaRouter(routerUrl, url ?? '');
      expect(answer.status).toBe(200);
      expect(answer.body).toContain('hello-node version');

      const application = (await node.pacemaker?.model.applications.list({}))?.find(
        (a) => a.name === 'hello-node',
      );
      applicationId = application?.id ?? 0;
      const instances = await run(['app', 'instances', String(applicationId), '--json']);
      expect(instances.code).toBe(0);
      const shown = JSON.parse(instances.stdout);
      expect(shown.urls).toContain(url);
      versionId = shown.instances[0].versionId;
    },
    patient(120_000),
  );

  it('logs prints the instance log with its "listening" line', async () => {
    const logs = await run(['logs', String(applicationId)]);
    expect(logs.stderr).toBe('');
    expect(logs.code).toBe(0);
    expect(logs.stdout).toMatch(/hello-node version \d+ listening on \d+/);
  }, 30_000);

  it(
    'logs --follow streams the lines written after it started, once, and ends when interrupted',
    async () => {
      const listed = JSON.parse((await run(['app', 'instances', String(applicationId), '--json'])).stdout);
      const uuid: string = listed.instances[0].uuid;
      const logFile = node.heart?.instance(uuid)?.logFile;
      if (!logFile) throw new Error(`the heart has no instance ${uuid}`);
      const later = 'a line written after logs --follow started';
      let failure: unknown;
      let printed = '';
      const logs = await run(['logs', String(applicationId), '--follow'], {
        stopSignal: async (out) => {
          try {
            await eventually(() => expect(out.text).toMatch(/listening on \d+/));
            // As the app would: its output is appended to the file by its own process.
            await appendFile(logFile, `${later}\n`);
            await eventually(() => expect(out.text).toContain(later));
            printed = out.text;
          } catch (error) {
            failure = error;
          }
          return 'SIGINT';
        },
      });
      if (failure) throw failure;
      expect(logs).toMatchObject({ code: 0, stderr: '' });
      expect(printed.split(later).length).toBe(2);
      expect(logs.stdout.split(later).length).toBe(2);
    },
    patient(60_000),
  );

  it("masks the node's secrets an instance printed, in the API's answer and in logs", async () => {
    const listed = JSON.parse((await run(['app', 'instances', String(applicationId), '--json'])).stdout);
    const uuid: string = listed.instances[0].uuid;
    const logFile = node.heart?.instance(uuid)?.logFile;
    if (!logFile) throw new Error(`the heart has no instance ${uuid}`);
    // As the app would: its output is appended to the file by its own process.
    await appendFile(logFile, `leaking ${SUPER_TOKEN} and ${NODE_TOKEN}\n`);

    const response = await fetch(
      `${node.pacemaker?.url}${API_PREFIX}/applications/${applicationId}/instances/${uuid}/log?offset=0`,
      { headers: { authorization: `Bearer ${SUPER_TOKEN}` } },
    );
    const text = await response.text();
    expect(response.status, text).toBe(200);
    expect(text).toContain(`leaking ${REDACTED} and ${REDACTED}\n`);
    expect(text).not.toContain(SUPER_TOKEN);
    expect(text).not.toContain(NODE_TOKEN);
    const logs = await run(['logs', String(applicationId), '--instance', uuid]);
    expect(logs.code).toBe(0);
    expect(logs.stdout).toContain(`leaking ${REDACTED} and ${REDACTED}`);
    expect(logs.stdout).not.toContain(SUPER_TOKEN);
  }, 30_000);

  it('config set, get and unset', async () => {
    const set = await run(['config', 'set', String(applicationId), 'GREETING=Hi there', 'DEBUG=1']);
    expect(set.code).toBe(0);
    const got = await run(['config', 'get', String(applicationId), '--json']);
    expect(JSON.parse(got.stdout)).toEqual({ vars: { GREETING: 'Hi there', DEBUG: '1' } });
    const unset = await run(['config', 'unset', String(applicationId), 'DEBUG']);
    expect(unset.code).toBe(0);
    expect(unset.stdout).toContain('GREETING');
    expect(unset.stdout).not.toContain('DEBUG');
    const bad = await run(['config', 'set', String(applicationId), '1BAD=x']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/not a variable name/);
  });

  it(
    'deploys a plain folder by uploading it',
    async () => {
      const folder = path.join(home, 'hello-plain');
      await cp(HELLO_NODE, folder, { recursive: true });
      const deployed = await run(['deploy', folder, '--json']);
      expect(deployed.stderr).toBe('');
      expect(deployed.code).toBe(0);
      const result = JSON.parse(deployed.stdout);
      expect(result.applicationId).toBe(applicationId);
      expect(result.urls[0]).toMatch(/^http:\/\/web\.hello-node\.default\.paasmaker\.localhost:/);
      currentVersionId = result.versionId;
      const version = await node.pacemaker?.model.versions.get(result.versionId);
      expect(version?.scmName).toBe('paasmaker.scm.upload');
      expect(version?.isCurrent).toBe(true);
      const answer = await viaRouter(routerUrl, result.urls[0]);
      expect(answer.status).toBe(200);
      expect(answer.body).toContain('Hi there');
    },
    patient(120_000),
  );

  it('version stop follows the tree; a version that is not running is refused in one line', async () => {
    const refused = await run(['version', 'stop', String(versionId)]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^error: E_INSTANCE_STATE: Cannot stop version 1: .*\n$/);
    const stopped = await run(['version', 'stop', String(currentVersionId)]);
    expect(stopped.stderr).toBe('');
    expect(stopped.code).toBe(0);
    expect(stopped.stdout).toContain('SUCCESS');
    expect((await node.pacemaker?.model.versions.get(currentVersionId))?.state).not.toBe('RUNNING');
    const noFollow = await run(['version', 'start', String(currentVersionId), '--no-follow', '--json']);
    expect(noFollow.code).toBe(0);
    expect(JSON.parse(noFollow.stdout).treeId).toBeTruthy();
    const follow = await run(['job', 'follow', JSON.parse(noFollow.stdout).treeId]);
    expect(follow.code).toBe(0);
    expect((await node.pacemaker?.model.versions.get(currentVersionId))?.state).toBe('RUNNING');
  }, 60_000);

  it(
    'version scale starts and stops instances of a running version, following the tree',
    async () => {
      const running = async () =>
        JSON.parse(
          (await run(['app', 'instances', String(applicationId), '--json'])).stdout,
        ).instances.filter(
          (instance: { versionId: number; state: string }) =>
            instance.versionId === currentVersionId && instance.state === 'RUNNING',
        ).length;
      const up = await run(['version', 'scale', String(currentVersionId), 'web', '2']);
      expect(up).toMatchObject({ code: 0, stderr: '' });
      expect(up.stdout).toContain(`version ${currentVersionId}: web scaled to 2`);
      expect(up.stdout).toContain('SUCCESS');
      expect(await running()).toBe(2);
      const down = await run([
        'version',
        'scale',
        String(currentVersionId),
        'web',
        '1',
        '--no-follow',
        '--json',
      ]);
      expect(down.code).toBe(0);
      const follow = await run(['job', 'follow', JSON.parse(down.stdout).treeId]);
      expect(follow.code).toBe(0);
      expect(await running()).toBe(1);
      const unknown = await run(['version', 'scale', String(currentVersionId), 'worker', '2']);
      expect(unknown.code).toBe(2);
      expect(unknown.stderr).toMatch(/has no instance type worker \(it has: web\)/);
      const zero = await run(['version', 'scale', String(currentVersionId), 'web', '0']);
      expect(zero.code).toBe(2);
      expect(zero.stderr).toMatch(/at least 1, not 0/);
    },
    patient(120_000),
  );

  it(
    'logs --follow of an instance ends by itself once the instance is gone',
    async () => {
      const listed = JSON.parse((await run(['app', 'instances', String(applicationId), '--json'])).stdout);
      const old = listed.instances.find(
        (instance: { versionId: number }) => instance.versionId === versionId,
      );
      if (!old) throw new Error(`version ${versionId} has no instance`);
      let deregistered: Awaited<ReturnType<typeof run>> | undefined;
      const following = await run(['logs', String(applicationId), '--follow', '--instance', old.uuid], {
        // Asked once the log so far is printed: the instance goes away, nobody interrupts.
        stopSignal: async () => {
          deregistered = await run(['version', 'deregister', String(versionId)]);
          return new Promise<string>(() => {});
        },
      });
      expect(deregistered).toMatchObject({ code: 0, stderr: '' });
      expect(node.heart?.instance(old.uuid)).toBeUndefined();
      expect(following).toMatchObject({ code: 0, stderr: '' });
    },
    patient(60_000),
  );

  it('exits 3 with the manifest error when the manifest is invalid', async () => {
    const folder = path.join(home, 'broken');
    await cp(HELLO_NODE, folder, { recursive: true });
    await writeFile(path.join(folder, 'manifest.yml'), 'manifest:\n  format: 1\napplication: {}\n');
    await gitRepo(folder, path.join(home, 'broken-git'));
    const deployed = await run(['deploy', path.join(home, 'broken-git')]);
    expect(deployed.code).toBe(3);
    expect(deployed.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(deployed.stderr).toMatch(
      /ended (FAILED|ABORTED): Read manifest\.yml: .*problems in the manifest.*application\.name: is required/,
    );
  }, 60_000);

  it('refuses a source that is neither a folder nor a URL, and checks version ids', async () => {
    const missing = await run(['deploy', path.join(home, 'no-such-folder')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/neither a folder nor a git URL/);
    const badId = await run(['version', 'stop', 'x']);
    expect(badId.code).toBe(2);
  });

  it(
    'up runs a PaaS in-process, deploys, stores tokens and CLI credentials, and stops',
    async () => {
      const repo = await gitRepo(HELLO_NODE, path.join(home, 'hello-up'));
      const data = path.join(home, 'up-data');
      let answer: { status: number; body: string } | undefined;
      let pacemakerAnswer: { status: number; body: string } | undefined;
      let whileUp = '';
      const up = await run(
        ['up', '--data', data, '--api-port', '0', '--router-port', '0', '--deploy', repo],
        {
          config: 'up-config',
          stopSignal: async (out) => {
            whileUp = out.text;
            const url = out.text.match(/hello-node is live: (\S+)/)?.[1];
            const router = out.text.match(/Router: (http:\/\/\S+)/)?.[1];
            if (url && router) answer = await viaRouter(router, url);
            const pacemaker = out.text.match(/Pacemaker through the router: (\S+)/)?.[1];
            if (pacemaker && router)
              pacemakerAnswer = await viaRouter(router, `${pacemaker}api/v1/openapi.json`);
            // The stored credentials work for the next command.
            const list = await run(['workspace', 'list', '--json'], { config: 'up-config' });
            whileUp += `\nWORKSPACES ${list.stdout}`;
            return 'SIGTERM';
          },
        },
      );
      expect(up.stderr).toBe('');
      expect(up.code).toBe(0);
      expect(whileUp).toMatch(
        /hello-node is live: http:\/\/web\.hello-node\.default\.paasmaker\.localhost:\d+\/\n/,
      );
      expect(whileUp).toContain('admin');
      expect(whileUp).toMatch(/WORKSPACES .*"stub": "default"/s);
      expect(answer?.status).toBe(200);
      expect(whileUp).toMatch(
        /Pacemaker through the router: http:\/\/pacemaker\.paasmaker\.localhost:\d+\/\n/,
      );
      expect(pacemakerAnswer?.status).toBe(200);
      expect(pacemakerAnswer?.body).toContain('"openapi"');
      expect(up.stdout).toContain('SIGTERM received, stopping');
      expect((await stat(path.join(data, 'tokens.json'))).mode & 0o777).toBe(0o600);
      // As root, tenant users pass through the data folder (never list it); otherwise it is private.
      expect((await stat(data)).mode & 0o777).toBe(process.getuid?.() === 0 ? 0o711 : 0o700);
      const tokens = await readFile(path.join(data, 'tokens.json'), 'utf8');
      // A second start reuses the tokens and the stored credentials.
      const again = await run(['up', '--data', data, '--api-port', '0', '--router-port', '0'], {
        config: 'up-config',
        stopSignal: async () => 'SIGINT',
      });
      expect(again.code).toBe(0);
      expect(await readFile(path.join(data, 'tokens.json'), 'utf8')).toBe(tokens);
      expect(again.stdout).not.toContain('password');
    },
    patient(120_000),
  );

  it('a folder inside a git repository deploys as that repository with the folder as directory', async () => {
    const root = path.join(home, 'mono');
    await cp(HELLO_NODE, path.join(root, 'apps', 'hello'), { recursive: true });
    await gitRepo(root, path.join(home, 'mono-git'));
    const inside = path.join(home, 'mono-git', 'apps', 'hello');
    expect(await resolveDeploySource(inside)).toEqual({
      kind: 'git',
      location: await realpath(path.join(home, 'mono-git')),
      directory: 'apps/hello',
    });
    expect(await resolveDeploySource(inside, { directory: 'other' })).toMatchObject({ directory: 'other' });
    expect(await resolveDeploySource('git@github.com:acme/shop.git')).toEqual({
      kind: 'git',
      location: 'git@github.com:acme/shop.git',
    });
    const deployed = await run(['deploy', inside, '--no-follow', '--json']);
    expect(deployed.code).toBe(0);
    const follow = await run(['job', 'follow', JSON.parse(deployed.stdout).treeId]);
    expect(follow.code).toBe(0);
  }, 60_000);

  it('up: --help has examples; bad arguments are one-line usage errors', async () => {
    const help = await run(['up', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('paasmaker up --deploy examples/apps/hello-node');
    const badPort = await run(['up', '--api-port', 'abc']);
    expect(badPort.code).toBe(2);
    expect(badPort.stderr).toMatch(/--api-port must be a port number/);
    const directory = await run(['up', '--directory', 'x']);
    expect(directory.code).toBe(2);
    expect(directory.stderr).toMatch(/--directory needs --deploy/);
    for (const command of [
      ['deploy'],
      ['version', 'stop'],
      ['config', 'set'],
      ['logs'],
      ['app', 'instances'],
    ]) {
      const shown = await run([...command, '--help']);
      expect(shown.code).toBe(0);
      expect(shown.stdout).toContain('Examples:');
    }
  });
});
