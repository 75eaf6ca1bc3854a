import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { eventually } from '@paasmaker/test-servers';
import {
  freePort,
  httpStatus,
  listeningProcesses,
  processEnvironment,
  processesWithVariable,
  processGroupMembers,
  processGroupOf,
  testInstance,
} from '@paasmaker/testkit';
import { describe, expect, it, onTestFinished } from 'vitest';

/** This file's ports (CONTRIBUTING): 32100–32199. */
const ports = { from: 32_100, to: 32_199 };

describe('freePort', () => {
  it('hands out ports in the range that nothing listens on, each once', async () => {
    const handed = await Promise.all(Array.from({ length: 20 }, () => freePort(ports)));
    expect(new Set(handed).size).toBe(20);
    for (const port of handed) {
      expect(port).toBeGreaterThanOrEqual(32_100);
      expect(port).toBeLessThanOrEqual(32_199);
      expect(await listeningProcesses(port)).toEqual([]);
    }
  });
});

describe('testInstance', () => {
  let folder = '';

  it('makes the folders a heart makes, with the files and the environment', async () => {
    const instance = await testInstance({
      version: '1',
      parameters: { a: 1 },
      files: { 'public/index.html': 'hi' },
      environment: { GREETING: 'hello' },
      ports,
    });
    folder = join(instance.directory, '..');
    expect(await readFile(join(instance.directory, 'public/index.html'), 'utf8')).toBe('hi');
    expect((await stat(instance.stateDirectory)).mode & 0o777).toBe(0o700);
    expect(existsSync(instance.logFile)).toBe(false);
    expect(instance.environment).toMatchObject({
      GREETING: 'hello',
      PORT: String(instance.port),
      PM_PORT: String(instance.port),
    });
    expect(instance.parameters).toEqual({ a: 1 });
  });

  it('removed the folder when the test finished', () => {
    expect(folder).not.toBe('');
    expect(existsSync(folder)).toBe(false);
  });

  it('makes a standalone instance without a port', async () => {
    const instance = await testInstance({ version: '1', parameters: {}, port: false });
    expect(instance.port).toBeUndefined();
    expect(instance.environment.PORT).toBeUndefined();
  });
});

describe('finding processes through /proc', () => {
  it('finds the process listening on a port, its environment and its group', async () => {
    const port = await freePort(ports);
    const marker = crypto.randomUUID();
    const child = spawn(
      process.execPath,
      ['-e', `require('node:http').createServer((q, s) => s.end()).listen(${port}, '127.0.0.1')`],
      { env: { TESTKIT_HELPER_MARKER: marker }, detached: true, stdio: 'ignore' },
    );
    onTestFinished(() => {
      child.kill('SIGKILL');
    });
    const pid = child.pid ?? expect.unreachable();
    await eventually(async () => expect(await httpStatus(port)).toBe(200));
    expect(await listeningProcesses(port)).toEqual([pid]);
    expect(await processEnvironment(pid)).toEqual({ TESTKIT_HELPER_MARKER: marker });
    expect(await processesWithVariable('TESTKIT_HELPER_MARKER', marker)).toEqual([pid]);
    expect(processGroupOf(pid)).toBe(pid);
    expect(await processGroupMembers(pid)).toEqual([pid]);

    child.kill('SIGKILL');
    await eventually(async () => expect(await listeningProcesses(port)).toEqual([]));
    expect(await httpStatus(port)).toBeUndefined();
    expect(await processGroupMembers(pid)).toEqual([]);
  });
});
