import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { lstat, mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { giveToTenant, runAsTenant, TenantUsers } from '@paasmaker/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useNpmPrepare } from './npm-prepare-fixture';

// A dependency with a postinstall script that counts its installs in $HOME/installs: a restore
// from the cache copies its files but must not run it again. Packed with `npm pack` so `npm ci`
// installs it offline from the working copy.
const dependency = {
  name: 'install-counter',
  version: '1.0.0',
  scripts: {
    postinstall: `node -e "require('fs').appendFileSync(require('path').join(process.env.HOME, 'installs'), 'x')"`,
  },
};
const tarball = 'vendor/install-counter-1.0.0.tgz';
const keyLine = /^Installed dependencies; cached as ([0-9a-f]{64})$/;

// Each test runs npm a few times.
const slow = { timeout: 60_000 };

let tarballBytes: Buffer;
let packFolder: string;

beforeAll(async () => {
  packFolder = await mkdtemp(join(tmpdir(), 'npm-cache-pack-'));
  await writeFile(join(packFolder, 'package.json'), JSON.stringify(dependency));
  await writeFile(join(packFolder, 'index.js'), 'module.exports = 42;\n');
  await promisify(execFile)('npm', ['pack', '--pack-destination', packFolder], { cwd: packFolder });
  tarballBytes = await readFile(join(packFolder, 'install-counter-1.0.0.tgz'));
});

afterAll(async () => {
  await rm(packFolder, { recursive: true, force: true });
});

/**
 * An app depending on the counter, whose lock file says `version`; its own postinstall script
 * writes `built` in the working copy (as an app's build step would).
 */
function app(version: string): Record<string, string | Uint8Array> {
  const root = { name: 'cached-app', version, dependencies: { 'install-counter': `file:${tarball}` } };
  const integrity = `sha512-${createHash('sha512').update(tarballBytes).digest('base64')}`;
  const lock = {
    name: 'cached-app',
    version,
    lockfileVersion: 3,
    requires: true,
    packages: {
      '': { ...root, hasInstallScript: true },
      'node_modules/install-counter': {
        version: '1.0.0',
        resolved: `file:${tarball}`,
        integrity,
        hasInstallScript: true,
      },
    },
  };
  return {
    'package.json': JSON.stringify({
      ...root,
      private: true,
      scripts: { postinstall: `node -e "require('fs').writeFileSync('built', 'yes')"` },
    }),
    'package-lock.json': JSON.stringify(lock),
    [tarball]: tarballBytes,
  };
}

/** The key a run logged when it cached its tree. */
function cachedKey(messages: readonly string[]): string {
  const key = messages.map((message) => keyLine.exec(message)?.[1]).find((found) => found !== undefined);
  if (key === undefined) throw new Error(`no "cached as" line in ${JSON.stringify(messages)}`);
  return key;
}

const installs = (home: string) => readFile(join(home, 'installs'), 'utf8');
const npmCi = (messages: readonly string[]) => messages.filter((message) => message.startsWith('$ npm ci'));

describe('paasmaker.prepare.npm dependency cache', slow, () => {
  const fixture = useNpmPrepare();
  const cacheFolder = () => join(fixture.home, '.paasmaker', 'npm-modules');

  it("caches node_modules after npm ci; the same lock file then gets a copy and the app's own install scripts instead of npm ci", async () => {
    const first = await fixture.prepare(await fixture.workingCopy(app('1.0.0')));
    expect(npmCi(first)).toHaveLength(1);
    const key = cachedKey(first);
    expect(await readdir(cacheFolder())).toEqual([key]);
    expect(existsSync(join(cacheFolder(), key, 'node_modules', 'install-counter', 'index.js'))).toBe(true);
    expect(await installs(fixture.home)).toBe('x');

    const again = await fixture.workingCopy(app('1.0.0'));
    const second = await fixture.prepare(again);
    expect(second).toContain(`Dependencies restored from cache (key ${key})`);
    expect(npmCi(second)).toEqual([]);
    expect(second).toContain('$ npm run-script postinstall');
    expect(await installs(fixture.home)).toBe('x');
    expect(await readFile(join(again, 'node_modules', 'install-counter', 'index.js'), 'utf8')).toContain(
      '42',
    );
    expect(await readFile(join(again, 'built'), 'utf8')).toBe('yes');
  });

  it('installs again when the lock file changed, and caches that tree under a key of its own', async () => {
    const first = cachedKey(await fixture.prepare(await fixture.workingCopy(app('1.0.0'))));
    const changed = await fixture.prepare(await fixture.workingCopy(app('1.0.1')));
    expect(npmCi(changed)).toHaveLength(1);
    expect(changed.some((message) => message.startsWith('Dependencies restored'))).toBe(false);
    const second = cachedKey(changed);
    expect(second).not.toBe(first);
    expect((await readdir(cacheFolder())).sort()).toEqual([first, second].sort());
    expect(await installs(fixture.home)).toBe('xx');
  });

  it('installs without the cache when the step says cache: false', async () => {
    const messages = await fixture.prepare(await fixture.workingCopy(app('1.0.0')), { cache: false });
    expect(messages.at(-1)).toBe('Installed dependencies; not cached: the step says cache: false');
    expect(existsSync(cacheFolder())).toBe(false);
  });
});

describe('paasmaker.prepare.npm dependency cache with npmCacheEntries: 2', slow, () => {
  const fixture = useNpmPrepare({ npmCacheEntries: 2 });

  it('keeps the two most recently used keys', async () => {
    const folder = join(fixture.home, '.paasmaker', 'npm-modules');
    const one = cachedKey(await fixture.prepare(await fixture.workingCopy(app('1.0.0'))));
    const two = cachedKey(await fixture.prepare(await fixture.workingCopy(app('2.0.0'))));
    // Use order by the folders' mtimes, set here rather than left to the clock: one is older.
    await utimes(join(folder, one), new Date('2000-01-01'), new Date('2000-01-01'));
    await utimes(join(folder, two), new Date('2001-01-01'), new Date('2001-01-01'));
    // A hit makes `one` the most recently used ...
    expect(await fixture.prepare(await fixture.workingCopy(app('1.0.0')))).toContain(
      `Dependencies restored from cache (key ${one})`,
    );
    // ... so a third key pushes out `two`.
    const three = cachedKey(await fixture.prepare(await fixture.workingCopy(app('3.0.0'))));
    expect((await readdir(folder)).sort()).toEqual([one, three].sort());
  });
});

describe.runIf(process.getuid?.() === 0)('paasmaker.prepare.npm dependency cache as root', slow, () => {
  const fixture = useNpmPrepare();

  it("runs every cache command as the application's user: the cache in its HOME is its own", async () => {
    const tenants = new TenantUsers(fixture.root, {});
    try {
      const tenant = await tenants.forApplication({ workspaceStub: 'ws', application: 'cached' });
      if (!tenant) throw new Error('no tenant as root');
      const prepareAsTenant = async () => {
        const directory = await fixture.workingCopy(app('1.0.0'));
        await giveToTenant(directory, tenant);
        return runAsTenant(tenant, () => fixture.prepare(directory, {}, { HOME: tenant.home }));
      };
      const key = cachedKey(await prepareAsTenant());
      const folder = join(tenant.home, '.paasmaker', 'npm-modules');
      for (const path of [
        join(tenant.home, '.paasmaker'),
        folder,
        join(folder, key, 'node_modules', 'install-counter'),
      ]) {
        expect((await lstat(path)).uid).toBe(tenant.uid);
      }
      expect(await prepareAsTenant()).toContain(`Dependencies restored from cache (key ${key})`);
      expect(await installs(tenant.home)).toBe('x');
    } finally {
      await tenants.removeAll();
    }
  });
});
