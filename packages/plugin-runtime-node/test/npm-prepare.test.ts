import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { createKernel, isPaasmakerError, type Kernel, type ProviderCall } from '@paasmaker/core';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import nodeRuntimePlugin from '../src/index';

const packageJson = { name: 'no-deps-app', version: '1.0.0', private: true };
const lockfile = {
  name: 'no-deps-app',
  version: '1.0.0',
  lockfileVersion: 3,
  requires: true,
  packages: { '': { name: 'no-deps-app', version: '1.0.0' } },
};

describe('paasmaker.prepare.npm', () => {
  let dir: string;
  let kernel: Kernel;
  let messages: string[];
  let call: ProviderCall;
  const environment = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? '/tmp',
    npm_config_offline: 'true',
    npm_config_update_notifier: 'false',
  };

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'npm-prepare-'));
    kernel = await createKernel({ plugins: [nodeRuntimePlugin] });
    messages = [];
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const text of chunk.toString().split('\n')) {
          if (text !== '') messages.push((JSON.parse(text) as { msg: string }).msg);
        }
        done();
      },
    });
    call = { log: pino(stream), signal: new AbortController().signal };
  });

  afterEach(async () => {
    await kernel.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('runs `npm ci --omit=dev` when a lockfile is there', async () => {
    await writeFile(join(dir, 'package.json'), JSON.stringify(packageJson));
    await writeFile(join(dir, 'package-lock.json'), JSON.stringify(lockfile));
    await kernel
      .provider('prepare', 'paasmaker.prepare.npm')
      .run({ directory: dir, environment, parameters: {} }, call);
    expect(messages[0]).toBe('$ npm ci --omit=dev --no-audit --no-fund');
  });

  it('runs `npm install` without a lockfile, keeping dev dependencies when not production', async () => {
    await writeFile(join(dir, 'package.json'), JSON.stringify(packageJson));
    await kernel
      .provider('prepare', 'paasmaker.prepare.npm')
      .run({ directory: dir, environment, parameters: { production: false } }, call);
    expect(messages[0]).toBe('$ npm install --no-audit --no-fund');
    expect(existsSync(join(dir, 'package-lock.json'))).toBe(true);
  });

  it('fails with E_COMMAND_FAILED when npm fails, with npm output in the log', async () => {
    // The lockfile does not list the dependency package.json asks for: `npm ci` refuses.
    await writeFile(
      join(dir, 'package.json'),
      JSON.stringify({ ...packageJson, dependencies: { 'left-pad': '1.3.0' } }),
    );
    await writeFile(join(dir, 'package-lock.json'), JSON.stringify(lockfile));
    const error = await kernel
      .provider('prepare', 'paasmaker.prepare.npm')
      .run({ directory: dir, environment, parameters: {} }, call)
      .catch((e: unknown) => e);
    expect(isPaasmakerError(error, 'E_COMMAND_FAILED')).toBe(true);
    expect((error as Error).message).toMatch(
      /^Command `npm ci --omit=dev --no-audit --no-fund` exited with code \d+$/,
    );
    expect(messages.length).toBeGreaterThan(1);
  });
});
