import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { isPaasmakerError } from '@paasmaker/core';
import { describe, expect, it } from 'vitest';
import { useNpmPrepare } from './npm-prepare-fixture';

const packageJson = { name: 'no-deps-app', version: '1.0.0', private: true };
const lockfile = {
  name: 'no-deps-app',
  version: '1.0.0',
  lockfileVersion: 3,
  requires: true,
  packages: { '': { name: 'no-deps-app', version: '1.0.0' } },
};

describe('paasmaker.prepare.npm', () => {
  const fixture = useNpmPrepare();

  it('runs `npm ci --omit=dev` when a lockfile is there', async () => {
    const dir = await fixture.workingCopy({
      'package.json': JSON.stringify(packageJson),
      'package-lock.json': JSON.stringify(lockfile),
    });
    const messages = await fixture.prepare(dir);
    expect(messages).toContain('$ npm ci --omit=dev --no-audit --no-fund');
    expect(messages.at(-1)).toBe('Nothing to cache: npm made no node_modules');
  });

  it('runs `npm install` without a lockfile, keeping dev dependencies when not production, and caches nothing', async () => {
    const dir = await fixture.workingCopy({ 'package.json': JSON.stringify(packageJson) });
    const messages = await fixture.prepare(dir, { production: false });
    expect(messages[0]).toBe('$ npm install --no-audit --no-fund');
    expect(messages.at(-1)).toBe(
      'Installed dependencies; not cached: no package-lock.json or npm-shrinkwrap.json',
    );
    expect(existsSync(join(dir, 'package-lock.json'))).toBe(true);
    expect(existsSync(join(fixture.home, '.paasmaker'))).toBe(false);
  });

  it('fails with E_COMMAND_FAILED when npm fails, with npm output in the log', async () => {
    // The lockfile does not list the dependency package.json asks for: `npm ci` refuses.
    const dir = await fixture.workingCopy({
      'package.json': JSON.stringify({ ...packageJson, dependencies: { 'left-pad': '1.3.0' } }),
      'package-lock.json': JSON.stringify(lockfile),
    });
    const error = await fixture.prepare(dir).catch((e: unknown) => e);
    expect(isPaasmakerError(error, 'E_COMMAND_FAILED')).toBe(true);
    expect((error as Error).message).toMatch(
      /^Command `npm ci --omit=dev --no-audit --no-fund` exited with code \d+$/,
    );
    expect(fixture.messages.length).toBeGreaterThan(2);
  });
});
