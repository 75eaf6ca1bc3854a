import { chmod, mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCommand } from '../../src/commands';
import { isPaasmakerError } from '../../src/kernel/errors';
import {
  currentTenant,
  DATA_FOLDER_LAYOUT,
  lockDataFolder,
  runAsTenant,
  TenantUsers,
  tenantBaseEnvironment,
} from '../../src/tenancy';

const mode = async (file: string) => (await stat(file)).mode & 0o777;

describe('tenancy', () => {
  let root: string;
  beforeEach(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'pm-tenancy-'));
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('builds the environment by allow-list: PATH, LANG, TZ, HOME and named variables only', () => {
    const environment = tenantBaseEnvironment({
      home: '/h',
      passEnvironment: ['HTTP_PROXY'],
      nodeEnvironment: {
        PATH: '/p',
        LANG: 'C.UTF-8',
        TZ: 'UTC',
        HOME: '/root',
        PAASMAKER_SUPER_TOKEN: 'secret',
        PGPASSWORD: 'secret',
        HTTP_PROXY: 'http://proxy',
      },
    });
    expect(environment).toEqual({
      PATH: '/p',
      LANG: 'C.UTF-8',
      TZ: 'UTC',
      HOME: '/h',
      HTTP_PROXY: 'http://proxy',
    });
  });

  it('refuses a data folder below a folder others cannot pass, naming it', async () => {
    const data = path.join(root, 'data');
    await mkdir(data);
    await chmod(root, 0o700);
    const error = await lockDataFolder(data, DATA_FOLDER_LAYOUT).catch((caught: unknown) => caught);
    expect(isPaasmakerError(error) && error.code).toBe('E_TENANT_USER');
    expect(String(error)).toContain(`chmod o+x ${root}`);
  });

  it('locks the data folder: passable paths 0711, everything else private, folders made up front', async () => {
    await chmod(root, 0o711);
    const data = path.join(root, 'data');
    await mkdir(path.join(data, 'heart', 'logs'), { recursive: true, mode: 0o755 });
    await mkdir(path.join(data, 'git-cache'), { mode: 0o755 });
    await writeFile(path.join(data, 'tokens.json'), '{}', { mode: 0o644 });
    await writeFile(path.join(data, 'heart', 'catalogue.json'), '{}', { mode: 0o644 });
    await chmod(path.join(data, 'heart', 'logs'), 0o755);
    await chmod(path.join(data, 'git-cache'), 0o755);
    // An instance folder inside a passable leaf stays passable: a restart must not lock it.
    await mkdir(path.join(data, 'heart', 'instances', 'i-1'), { recursive: true });
    await chmod(path.join(data, 'heart', 'instances', 'i-1'), 0o711);
    await lockDataFolder(data, DATA_FOLDER_LAYOUT);
    await lockDataFolder(data, DATA_FOLDER_LAYOUT);
    expect(await mode(path.join(data, 'heart', 'instances', 'i-1'))).toBe(0o711);
    expect(await mode(data)).toBe(0o711);
    for (const passable of DATA_FOLDER_LAYOUT.passable)
      expect(await mode(path.join(data, passable))).toBe(0o711);
    for (const folder of DATA_FOLDER_LAYOUT.private) expect(await mode(path.join(data, folder))).toBe(0o700);
    expect(await mode(path.join(data, 'git-cache'))).toBe(0o700);
    expect(await mode(path.join(data, 'tokens.json'))).toBe(0o600);
    expect(await mode(path.join(data, 'heart', 'catalogue.json'))).toBe(0o600);
  });

  it('in single-tenant mode gives no tenant, a home per application, and runs commands as the node', async () => {
    const tenants = new TenantUsers(root, { mode: 'single-tenant' });
    const key = { workspaceStub: 'ws', application: 'app' };
    expect(tenants.isolating).toBe(false);
    expect(await tenants.forApplication(key)).toBeUndefined();
    expect(await mode(tenants.sharedHome(key))).toBe(0o700);
  });

  it.runIf(process.getuid?.() === 0)(
    'as root makes one user per application and runs commands as it, with no_new_privs and limits',
    async () => {
      await chmod(root, 0o711);
      const tenants = new TenantUsers(root, { limits: { openFiles: 321, processes: 77 } });
      try {
        const a = await tenants.forApplication({ workspaceStub: 'ws', application: 'a' });
        const again = await tenants.forApplication({ workspaceStub: 'ws', application: 'a' });
        const b = await tenants.forApplication({ workspaceStub: 'ws', application: 'b' });
        if (!a || !b) throw new Error('no tenant as root');
        expect(again?.uid).toBe(a.uid);
        expect(b.uid).not.toBe(a.uid);
        expect(a.uid).not.toBe(0);
        const lines: string[] = [];
        const log = pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line).msg) });
        await runAsTenant(a, async () => {
          expect(currentTenant()).toBe(a);
          await runCommand(
            [
              '/bin/sh',
              '-c',
              'id -u; id -G; grep -E "^Max (processes|open files)" /proc/self/limits; grep NoNewPrivs /proc/self/status',
            ],
            {
              cwd: a.home,
              env: { PATH: '/usr/bin:/bin' },
              log,
              signal: new AbortController().signal,
              timeoutMs: 10_000,
            },
          );
        });
        const [uid, groups, processes, openFiles, noNewPrivs] = lines.slice(1);
        expect([uid, groups, noNewPrivs]).toEqual([String(a.uid), String(a.gid), 'NoNewPrivs:\t1']);
        expect(processes?.split(/\s+/).slice(2, 4)).toEqual(['77', '77']);
        expect(openFiles?.split(/\s+/).slice(3, 5)).toEqual(['321', '321']);
      } finally {
        await tenants.removeAll();
      }
    },
  );
});
