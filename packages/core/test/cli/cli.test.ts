import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli';
import {
  type ApiFixture,
  PASSWORD,
  SUPER_TOKEN,
  startApiFixture,
} from '../roles/pacemaker/pacemaker-api-fixture';
import { registeredNode } from '../roles/pacemaker/route-samples';

interface Captured {
  write(text: string): boolean;
  isTTY: boolean;
  text: string;
}
const capture = (isTTY = false): Captured => ({
  isTTY,
  text: '',
  write(text: string) {
    this.text += text;
    return true;
  },
});

/** Expects one actionable line on stderr, no stack trace. */
function expectOneLineError(stderr: string, pattern: RegExp): void {
  expect(stderr.endsWith('\n')).toBe(true);
  expect(stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(stderr).not.toMatch(/\n\s+at /);
  expect(stderr).toMatch(pattern);
}

describe('paasmaker CLI against a real pacemaker', () => {
  let fx: ApiFixture;
  let home: string;
  const configDir = (name: string) => path.join(home, name, 'paasmaker');

  /** Runs the CLI in-process with its own config folder. */
  async function run(
    args: string[],
    options: { as?: string; env?: Record<string, string>; tty?: boolean } = {},
  ) {
    const stdout = capture(options.tty);
    const stderr = capture(options.tty);
    const code = await main(args, {
      stdout,
      stderr,
      env: { PAASMAKER_CONFIG_DIR: configDir(options.as ?? 'admin'), ...options.env },
    });
    return { code, stdout: stdout.text, stderr: stderr.text };
  }

  beforeAll(async () => {
    fx = await startApiFixture();
    home = await mkdtemp(path.join(tmpdir(), 'pm-cli-'));
    fx.kernel.hooks.jobType.for('test.cli.step').tap('test.cli', () => ({
      parametersSchema: { type: 'object' },
      run: async () => {
        await new Promise((resolve) => setTimeout(resolve, 150));
        return { summary: 'Stepped.' };
      },
    }));
    fx.kernel.hooks.jobType.for('test.cli.fail').tap('test.cli', () => ({
      parametersSchema: { type: 'object' },
      run: async (job) => {
        job.log.info('Uploading 3 GiB.');
        await new Promise((resolve) => setTimeout(resolve, 100));
        throw new Error('The disk is full.');
      },
    }));
    const login = await run(['login', '--url', fx.url, '--token', SUPER_TOKEN]);
    expect(login).toMatchObject({ code: 0, stderr: '' });
  });
  afterAll(async () => {
    await fx?.close();
    if (home) await rm(home, { recursive: true, force: true });
  });

  describe('login', () => {
    it('creates an API key with basic auth, stores it 0600 in a 0700 folder, and later commands use it', async () => {
      const user = fx.users.rightWorkspace;
      const login = await run(['login', '--url', fx.url, '--user', user.login, '--password', PASSWORD], {
        as: 'right',
      });
      expect(login.stderr).toBe('');
      expect(login.code).toBe(0);
      expect(login.stdout).toContain(`as ${user.login}`);
      const file = path.join(configDir('right'), 'credentials.json');
      expect((await stat(file)).mode & 0o777).toBe(0o600);
      expect((await stat(configDir('right'))).mode & 0o777).toBe(0o700);
      const stored = JSON.parse(await readFile(file, 'utf8'));
      expect(stored).toMatchObject({ url: fx.url, userId: user.id });
      expect(stored.apiKey).toMatch(/^pmk_/);
      const keys = await fx.model.users.apiKeys(user.id);
      expect(keys.some((key) => key.id === stored.apiKeyId)).toBe(true);

      // The key works; the list is filtered to the user's workspaces.
      const list = await run(['workspace', 'list', '--json'], { as: 'right' });
      expect(list.code).toBe(0);
      const ids = JSON.parse(list.stdout).map((w: { id: number }) => w.id);
      expect(ids).toContain(fx.workspaceA.id);
      expect(ids).not.toContain(fx.workspaceB.id);
      const me = await run(['user', 'show', 'me'], { as: 'right' });
      expect(me.stdout).toContain(user.login);

      // No permission: one line with the API's code, exit 1.
      const forbidden = await run(['workspace', 'show', String(fx.workspaceB.id)], { as: 'right' });
      expect(forbidden.code).toBe(1);
      expect(forbidden.stdout).toBe('');
      expectOneLineError(forbidden.stderr, /^error: E_API_FORBIDDEN: .*WORKSPACE_VIEW/);

      // logout revokes the key and removes the file.
      const logout = await run(['logout'], { as: 'right' });
      expect(logout.code).toBe(0);
      await expect(stat(file)).rejects.toMatchObject({ code: 'ENOENT' });
      const revoked = (await fx.model.users.apiKeys(user.id)).find((key) => key.id === stored.apiKeyId);
      expect(revoked?.revokedAt).toBeTruthy();
      const after = await run(['workspace', 'list'], { as: 'right' });
      expect(after.code).toBe(1);
      expectOneLineError(after.stderr, /not logged in: run paasmaker login/);
    });

    it('refuses a wrong password in one line', async () => {
      const login = await run(
        ['login', '--url', fx.url, '--user', fx.users.noRole.login, '--password', 'wrong password'],
        { as: 'wrong' },
      );
      expect(login.code).toBe(1);
      expectOneLineError(login.stderr, /^error: E_API_UNAUTHENTICATED: .*paasmaker login/);
      await expect(stat(path.join(configDir('wrong'), 'credentials.json'))).rejects.toThrow();
    });
  });

  describe('workspace', () => {
    it('creates, lists (table and JSON), shows, updates and deletes', async () => {
      const stub = `cli-${Date.now().toString(36)}`;
      const created = await run(['workspace', 'create', 'CLI shop', stub, '--tag', 'team=web', '--json']);
      expect(created.code).toBe(0);
      const workspace = JSON.parse(created.stdout);
      expect(workspace).toMatchObject({ name: 'CLI shop', stub, tags: { team: 'web' } });

      const table = await run(['workspace', 'list']);
      expect(table.code).toBe(0);
      const lines = table.stdout.trimEnd().split('\n');
      expect(lines[0]).toMatch(/^ID\s+NAME\s+STUB\s+TAGS$/);
      expect(
        lines.some((line) => new RegExp(`^${workspace.id}\\s+CLI shop\\s+${stub}\\s+team=web$`).test(line)),
      ).toBe(true);
      const json = JSON.parse((await run(['workspace', 'list', '--json'])).stdout);
      expect(json.map((w: { id: number }) => w.id)).toEqual(
        expect.arrayContaining([workspace.id, fx.workspaceB.id]),
      );

      const shown = await run(['workspace', 'show', String(workspace.id)]);
      expect(shown.stdout).toMatch(new RegExp(`stub:\\s+${stub}`));
      const updated = await run([
        'workspace',
        'update',
        String(workspace.id),
        '--name',
        'CLI shop 2',
        '--json',
      ]);
      expect(JSON.parse(updated.stdout).name).toBe('CLI shop 2');
      const deleted = await run(['workspace', 'delete', String(workspace.id)]);
      expect(deleted).toMatchObject({ code: 0, stdout: `Deleted workspace ${workspace.id}.\n` });
    });

    it('reports API errors as one line with the code and exits non-zero', async () => {
      const unknown = await run(['workspace', 'show', '999999']);
      expect(unknown.code).toBe(1);
      expectOneLineError(unknown.stderr, /^error: E_MODEL_NOT_FOUND: /);
      const taken = await run(['workspace', 'create', 'Again', fx.workspaceA.stub]);
      expect(taken.code).toBe(1);
      expectOneLineError(taken.stderr, /^error: E_MODEL_CONFLICT: .*stub/);
      const invalid = await run(['workspace', 'create', 'Bad', 'no spaces']);
      expectOneLineError(invalid.stderr, /^error: E_API_REQUEST_INVALID: .*body\/stub/);
    });

    it('reports usage errors as one line with exit code 2, and has --help with examples', async () => {
      const missing = await run(['workspace', 'create', 'only-a-name']);
      expect(missing.code).toBe(2);
      expectOneLineError(missing.stderr, /missing required argument 'stub'.*--help/);
      const badId = await run(['workspace', 'show', 'abc']);
      expect(badId.code).toBe(2);
      expectOneLineError(badId.stderr, /workspace id must be a positive integer/);
      const typo = await run(['workspace', 'lst']);
      expect(typo.code).toBe(2);
      expectOneLineError(typo.stderr, /unknown command 'lst'.*Did you mean list/);
      for (const args of [['--help'], ['workspace', 'create', '--help'], ['job', 'follow', '--help']]) {
        const help = await run(args);
        expect(help.code).toBe(0);
        expect(help.stdout).toContain('Examples:');
      }
    });

    it('says how to start the pacemaker when it is down', async () => {
      // A port nothing listens on (any more).
      const closed = await new Promise<number>((resolve) => {
        const server = createServer().listen(0, '127.0.0.1', () => {
          const { port } = server.address() as { port: number };
          server.close(() => resolve(port));
        });
      });
      const downUrl = `http://127.0.0.1:${closed}`;
      const down = await run(['workspace', 'list'], {
        env: { PAASMAKER_URL: downUrl, PAASMAKER_API_KEY: SUPER_TOKEN },
      });
      expect(down.code).toBe(1);
      expectOneLineError(
        down.stderr,
        new RegExp(
          `^error: cannot reach the pacemaker at ${downUrl} \\(ECONNREFUSED\\): is it running\\? \\(paasmaker node --config`,
        ),
      );
      const login = await run(['login', '--url', downUrl, '--token', 'x'], { as: 'down' });
      expect(login.code).toBe(1);
      expectOneLineError(login.stderr, /cannot reach the pacemaker/);
    });
  });

  describe('app, version, service and node', () => {
    it('creates, lists, shows and deletes an application (table and JSON)', async () => {
      const name = `cli-app-${Date.now().toString(36)}`;
      const workspaceId = String(fx.workspaceA.id);
      const created = await run([
        'app',
        'create',
        workspaceId,
        name,
        '--manifest-path',
        'deploy/pm.yml',
        '--json',
      ]);
      expect(created.code, created.stderr).toBe(0);
      const app = JSON.parse(created.stdout);
      expect(app).toMatchObject({ name, workspaceId: fx.workspaceA.id, manifestPath: 'deploy/pm.yml' });

      const list = await run(['app', 'list', workspaceId]);
      const lines = list.stdout.trimEnd().split('\n');
      expect(lines[0]).toMatch(/^ID\s+NAME\s+MANIFEST$/);
      expect(lines.some((line) => new RegExp(`^${app.id}\\s+${name}\\s+deploy/pm.yml$`).test(line))).toBe(
        true,
      );
      const json = JSON.parse((await run(['app', 'list', workspaceId, '--json'])).stdout);
      expect(json.map((a: { id: number }) => a.id)).toEqual(
        expect.arrayContaining([app.id, fx.applicationA.id]),
      );
      expect((await run(['app', 'show', String(app.id)])).stdout).toMatch(new RegExp(`name:\\s+${name}`));
      const taken = await run(['app', 'create', workspaceId, name]);
      expect(taken.code).toBe(1);
      expectOneLineError(taken.stderr, /^error: E_MODEL_CONFLICT: /);

      const deleted = await run(['app', 'delete', String(app.id)]);
      // A job tree (nothing to stop here), followed to its end.
      expect(deleted.code, deleted.stderr).toBe(0);
      const gone = await run(['app', 'show', String(app.id)]);
      expect(gone.code).toBe(1);
      expectOneLineError(gone.stderr, /^error: E_MODEL_NOT_FOUND: /);
    });

    it('lists and shows versions with their manifest', async () => {
      const app = await fx.model.applications.create({
        workspaceId: fx.workspaceA.id,
        name: `cli-v-${Date.now().toString(36)}`,
      });
      const v1 = await fx.model.versions.create({ applicationId: app.id, scmName: 'paasmaker.scm.git' });
      const v2 = await fx.model.versions.create({
        applicationId: app.id,
        scmName: 'paasmaker.scm.git',
        scmRevision: 'abc123',
        manifest: 'manifest:\n  format: 1',
      });
      await fx.model.versions.makeCurrent(v1.id);
      const list = await run(['version', 'list', String(app.id)]);
      expect(list.code, list.stderr).toBe(0);
      const lines = list.stdout.trimEnd().split('\n');
      expect(lines[0]).toMatch(/^ID\s+NUMBER\s+STATE\s+CURRENT\s+SCM\s+REVISION$/);
      expect(lines[1]).toMatch(new RegExp(`^${v1.id}\\s+1\\s+NEW\\s+yes\\s+paasmaker.scm.git$`));
      expect(lines[2]).toMatch(new RegExp(`^${v2.id}\\s+2\\s+NEW\\s+paasmaker.scm.git\\s+abc123$`));
      const json = JSON.parse((await run(['version', 'list', String(app.id), '--json'])).stdout);
      expect(json.map((v: { number: number }) => v.number)).toEqual([1, 2]);
      const shown = await run(['version', 'show', String(v2.id)]);
      expect(shown.stdout).toMatch(/number:\s+2/);
      expect(shown.stdout).toContain('manifest:\nmanifest:\n  format: 1');
      expect(JSON.parse((await run(['version', 'show', String(v2.id), '--json'])).stdout).scmRevision).toBe(
        'abc123',
      );
      const unknown = await run(['version', 'show', '999999']);
      expect(unknown.code).toBe(1);
      expectOneLineError(unknown.stderr, /^error: E_MODEL_NOT_FOUND: /);
    });

    it('lists services, and nodes with their detail', async () => {
      const service = await fx.model.services.create({
        workspaceId: fx.workspaceA.id,
        name: `cli-svc-${Date.now().toString(36)}`,
        provider: 'paasmaker.service.parameters',
        credentials: { password: 'x' },
      });
      const services = await run(['service', 'list', String(fx.workspaceA.id)]);
      expect(services.code, services.stderr).toBe(0);
      expect(services.stdout.split('\n')[0]).toMatch(/^ID\s+NAME\s+PROVIDER\s+STATE$/);
      expect(services.stdout).toMatch(
        new RegExp(`^${service.id}\\s+${service.name}\\s+paasmaker.service.parameters\\s+NEW$`, 'm'),
      );
      const servicesJson = JSON.parse(
        (await run(['service', 'list', String(fx.workspaceA.id), '--json'])).stdout,
      );
      expect(servicesJson.find((s: { id: number }) => s.id === service.id).credentials).toEqual({
        password: 'x',
      });
      const deleted = await run(['service', 'delete', String(service.id)]);
      expect([deleted.code, deleted.stdout.trim()]).toEqual([
        0,
        `Deleted service ${service.id} and the resource behind it.`,
      ]);
      expect((await run(['service', 'list', String(fx.workspaceA.id)])).stdout).not.toContain(service.name);
      const again = await run(['service', 'delete', String(service.id)]);
      expect(again.code).toBe(1);
      expectOneLineError(again.stderr, /^error: E_MODEL_NOT_FOUND: /);

      const uuid = await registeredNode(fx);
      const nodes = await run(['node', 'list']);
      expect(nodes.code, nodes.stderr).toBe(0);
      expect(nodes.stdout.split('\n')[0]).toMatch(
        /^UUID\s+NAME\s+ROUTE\s+PORT\s+STATE\s+ROLES\s+SCORE\s+LAST HEARD$/,
      );
      expect(nodes.stdout).toContain(uuid);
      const nodesJson = JSON.parse((await run(['node', 'list', '--json'])).stdout);
      expect(nodesJson.map((n: { uuid: string }) => n.uuid)).toContain(uuid);
      const shown = await run(['node', 'show', uuid]);
      expect(shown.stdout).toMatch(new RegExp(`uuid:\\s+${uuid}`));
      expect(shown.stdout).toMatch(/roles:\s+heart/);
      expect(JSON.parse((await run(['node', 'show', uuid.toUpperCase(), '--json'])).stdout).uuid).toBe(uuid);
      const badUuid = await run(['node', 'show', 'nope']);
      expect(badUuid.code).toBe(2);
      expectOneLineError(badUuid.stderr, /node uuid must be a UUID/);
      const noConfig = await run(['node']);
      expect(noConfig.code).toBe(2);
      expectOneLineError(noConfig.stderr, /--config/);
    });

    it('has --help with examples and usage errors exit 2', async () => {
      for (const args of [
        ['app', '--help'],
        ['app', 'create', '--help'],
        ['version', 'list', '--help'],
        ['version', 'show', '--help'],
        ['service', 'list', '--help'],
        ['node', 'list', '--help'],
        ['node', 'show', '--help'],
        ['node', '--help'],
      ]) {
        const help = await run(args);
        expect(help.code, args.join(' ')).toBe(0);
        expect(help.stdout).toContain('Examples:');
        if (args.length === 3) expect(help.stdout).toContain('--json');
      }
      const missing = await run(['app', 'create', '3']);
      expect(missing.code).toBe(2);
      expectOneLineError(missing.stderr, /missing required argument 'name'/);
      const badId = await run(['version', 'list', 'x']);
      expect(badId.code).toBe(2);
      expectOneLineError(badId.stderr, /application id must be a positive integer/);
    });
  });

  describe('user and role', () => {
    it('creates a user and a role, grants it on a workspace, and revokes it', async () => {
      const login = `cli-${Date.now().toString(36)}`;
      const user = JSON.parse(
        (
          await run([
            'user',
            'create',
            login,
            `${login}@example.com`,
            'Cli User',
            '--password',
            PASSWORD,
            '--json',
          ])
        ).stdout,
      );
      expect(user).toMatchObject({ login, enabled: true });
      expect(user.passwordHash).toBeUndefined();
      expect((await run(['user', 'list'])).stdout).toMatch(new RegExp(`^${user.id}\\s+${login}\\s`, 'm'));
      expect((await run(['user', 'show', String(user.id)])).stdout).toMatch(/name:\s+Cli User/);

      const role = JSON.parse(
        (await run(['role', 'create', `viewers-${login}`, 'WORKSPACE_VIEW,WORKSPACE_LIST', '--json'])).stdout,
      );
      expect(role.permissions).toEqual(['WORKSPACE_LIST', 'WORKSPACE_VIEW']);
      expect((await run(['role', 'list'])).stdout).toContain(`viewers-${login}`);
      const grant = await run([
        'role',
        'grant',
        String(role.id),
        String(user.id),
        '--workspace',
        String(fx.workspaceA.id),
      ]);
      expect(grant.code).toBe(0);
      const allocationId = Number(/allocation (\d+)/.exec(grant.stdout)?.[1]);
      const allocations = JSON.parse(
        (await run(['role', 'allocations', '--user', String(user.id), '--json'])).stdout,
      );
      expect(allocations).toEqual([
        expect.objectContaining({ id: allocationId, workspaceId: fx.workspaceA.id }),
      ]);
      expect((await run(['role', 'revoke', String(allocationId)])).code).toBe(0);
      const gone = await run(['role', 'revoke', String(allocationId)]);
      expect(gone.code).toBe(1);
      expectOneLineError(gone.stderr, /^error: E_MODEL_NOT_FOUND/);
      const badPermission = await run(['role', 'create', 'bad', 'NOT_A_PERMISSION']);
      expect(badPermission.code).toBe(1);
      expectOneLineError(badPermission.stderr, /^error: E_API_REQUEST_INVALID/);
    });
  });

  describe('job', () => {
    const tree = (failing: boolean) =>
      fx.jobs.createTree(
        {
          type: 'test.cli.step',
          title: 'Deploy shop',
          children: [
            { type: 'test.cli.step', title: 'Build release' },
            { type: failing ? 'test.cli.fail' : 'test.cli.step', title: 'Upload release' },
          ],
        },
        { tags: { workspace: String(fx.workspaceA.id), cli: failing ? 'fail' : 'ok' } },
      );

    it('follows a tree to SUCCESS with plain lines when not a TTY, and exits 0', async () => {
      const treeId = await tree(false);
      const follow = await run(['job', 'follow', treeId, '--interval', '50']);
      expect(follow.stderr).toBe('');
      expect(follow.code).toBe(0);
      expect(follow.stdout).not.toContain('\x1b[');
      expect(follow.stdout).toMatch(/^SUCCESS\s+Build release — Stepped\.$/m);
      expect(follow.stdout).toMatch(/^SUCCESS\s+Deploy shop — Stepped\.$/m);
      expect(follow.stdout).toMatch(/^✓ Deploy shop — Stepped\.$/m);
      expect(follow.stdout).toMatch(/^ {2}✓ Upload release — Stepped\.$/m);
      expect(follow.stdout.trimEnd().endsWith('3/3 jobs finished')).toBe(true);

      const show = await run(['job', 'show', treeId]);
      expect(show.stdout).toContain('✓ Build release');
      const list = await run(['job', 'list', '--tag', 'cli:ok']);
      expect(list.stdout).toMatch(new RegExp(`^${treeId}\\s+SUCCESS\\s+Deploy shop`, 'm'));
      const listed = JSON.parse((await run(['job', 'list', '--tag', 'cli:ok', '--json'])).stdout);
      expect(listed.trees[0].treeId).toBe(treeId);
    });

    it('is woken by the job stream websocket, not by polling', async () => {
      // Polling once every 10 minutes: the follow can only end in time if changes are pushed.
      const follow = await run(['job', 'follow', await tree(false), '--interval', '600000']);
      expect(follow.code).toBe(0);
      expect(follow.stdout.trimEnd().endsWith('3/3 jobs finished')).toBe(true);
    });

    it('redraws the tree in place on a TTY and exits non-zero when the tree fails', async () => {
      const treeId = await tree(true);
      const follow = await run(['job', 'follow', treeId, '--interval', '50'], { tty: true });
      expect(follow.code).toBe(3);
      expect(follow.stdout).toContain('\x1b[');
      expect(follow.stdout).toMatch(/✗ Upload release — .*disk is full/);
      expect(follow.stdout).toMatch(/failed/);
      expectOneLineError(follow.stderr, new RegExp(`^error: job tree ${treeId} ended (FAILED|ABORTED)`));
      const json = await run(['job', 'follow', treeId, '--json']);
      expect(json.code).toBe(3);
      expect(JSON.parse(json.stdout).treeId).toBe(treeId);
      // The failed job is named once, with the command that prints its log.
      const failed = JSON.parse(json.stdout).jobs.find((job: { state: string }) => job.state === 'FAILED');
      expect(follow.stderr).toContain(
        `: Upload release: The disk is full. (its log: paasmaker job log ${failed.id})`,
      );
    });

    it('prints a job log, followed until the job ends or whole', async () => {
      const treeId = await tree(true);
      const upload =
        (await fx.jobs.getTree(treeId)).jobs.find((job) => job.title === 'Upload release') ??
        expect.unreachable();
      const followed = await run(['job', 'log', upload.id, '--follow']);
      expect([followed.code, followed.stderr]).toEqual([0, '']);
      expect((await fx.jobs.getTree(treeId)).jobs.find((job) => job.id === upload.id)?.state).toBe('FAILED');
      const whole = await run(['job', 'log', upload.id]);
      expect([whole.code, whole.stderr]).toEqual([0, '']);
      expect(whole.stdout).toContain('Uploading 3 GiB.');
      expect(whole.stdout).toContain('The disk is full.');
      expect(followed.stdout).toBe(whole.stdout);
      const missing = await run(['job', 'log', '00000000-0000-4000-8000-000000000000']);
      expect(missing.code).not.toBe(0);
      expectOneLineError(missing.stderr, /^error: E_/);
    });

    it('aborts a tree, and refuses to abort it twice in one line', async () => {
      const treeId = await fx.scratchTree(fx.workspaceA.id);
      const abort = await run(['job', 'abort', treeId, '--reason', 'not needed']);
      expect(abort).toMatchObject({ code: 0, stdout: `Aborted job tree ${treeId}.\n` });
      const follow = await run(['job', 'follow', treeId]);
      expect(follow.code).toBe(3);
      expect(follow.stdout).toMatch(/^ABORTED/m);
      const again = await run(['job', 'abort', treeId]);
      expect(again.code).toBe(1);
      expectOneLineError(again.stderr, /^error: E_JOB_FINISHED: /);
      const unknown = await run(['job', 'show', '00000000-0000-4000-8000-000000000000']);
      expectOneLineError(unknown.stderr, /^error: E_JOB_NOT_FOUND: /);
    });
  });
});
