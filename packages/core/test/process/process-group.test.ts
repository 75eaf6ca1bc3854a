import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isPaasmakerError } from '../../src/kernel/errors';
import {
  isProcessRunning,
  type ProcessRecord,
  readProcessRecord,
  removeProcessRecord,
  startProcessGroup,
  stopProcessGroup,
} from '../../src/process/index';

const env = { PATH: process.env.PATH ?? '/usr/bin:/bin' };

/** True while `pid` is a live process (a zombie counts as gone). */
function pidAlive(pid: number): boolean {
  try {
    return !/\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

async function waitFor<T>(read: () => Promise<T | undefined> | T | undefined): Promise<T> {
  for (;;) {
    const value = await read();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('process groups', () => {
  let dir: string;
  let logFile: string;
  let stateDirectory: string;
  const started: ProcessRecord[] = [];

  async function start(script: string): Promise<ProcessRecord> {
    const record = await startProcessGroup({
      command: ['/bin/sh', '-c', script],
      cwd: dir,
      env,
      logFile,
      stateDirectory,
    });
    started.push(record);
    return record;
  }

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'process-group-'));
    logFile = join(dir, 'logs', 'instance.log');
    stateDirectory = join(dir, 'state');
  });

  afterEach(async () => {
    for (const record of started.splice(0)) await stopProcessGroup(record, { graceMs: 100 });
    await rm(dir, { recursive: true, force: true });
  });

  it('starts a detached group, appends its output to the log and records it atomically', async () => {
    await start('echo "out $FOO"; echo err >&2; exec sleep 1000');
    const record = started[0] as ProcessRecord;
    expect(isProcessRunning(record)).toBe(true);
    expect(await readProcessRecord(stateDirectory)).toEqual(record);
    expect((await stat(join(stateDirectory, 'process.json'))).mode & 0o777).toBe(0o600);
    const log = await waitFor(async () => {
      const text = await readFile(logFile, 'utf8');
      return text.includes('err') ? text : undefined;
    });
    expect(log).toContain('out \n');
    const pgrp = (await readFile(`/proc/${record.pid}/stat`, 'utf8')).split(') ')[1]?.split(' ')[2];
    expect(Number(pgrp)).toBe(record.pid);

    await stopProcessGroup(record, { graceMs: 5000 });
    expect(isProcessRunning(record)).toBe(false);
    await stopProcessGroup(record, { graceMs: 5000 });

    // A second start appends to the same log rather than truncating it.
    await start('echo second');
    await waitFor(async () => ((await readFile(logFile, 'utf8')).includes('second') ? true : undefined));
    expect(await readFile(logFile, 'utf8')).toMatch(/out \n[\s\S]*second/);
  });

  it('passes only the given environment and working folder', async () => {
    const record = await startProcessGroup({
      command: ['/bin/sh', '-c', 'echo "cwd=$(pwd) foo=$FOO home=[$HOME]"'],
      cwd: dir,
      env: { ...env, FOO: 'bar' },
      logFile,
      stateDirectory,
    });
    started.push(record);
    const log = await waitFor(async () => {
      const text = await readFile(logFile, 'utf8').catch(() => '');
      return text.includes('foo=') ? text : undefined;
    });
    expect(log).toContain(`cwd=${dir} foo=bar home=[]`);
  });

  it('notices a child that exits while this process is still its parent', async () => {
    const record = await start('exit 3');
    await waitFor(() => (isProcessRunning(record) ? undefined : true));
    expect(isProcessRunning(record)).toBe(false);
  });

  it('sends SIGKILL after the grace period to a group ignoring SIGTERM', async () => {
    const record = await start(`trap '' TERM; echo ready; while :; do sleep 0.05; done`);
    await waitFor(async () => ((await readFile(logFile, 'utf8')).includes('ready') ? true : undefined));
    await stopProcessGroup(record, { graceMs: 200 });
    expect(isProcessRunning(record)).toBe(false);
  });

  it('stops the whole group, children included', async () => {
    const childFile = join(dir, 'child.pid');
    const record = await start(`sleep 1000 & echo $! > "${childFile}"; wait`);
    const child = await waitFor(async () => {
      const text = await readFile(childFile, 'utf8').catch(() => '');
      return text.trim() === '' ? undefined : Number(text);
    });
    expect(pidAlive(child)).toBe(true);
    await stopProcessGroup(record, { graceMs: 5000 });
    expect(pidAlive(child)).toBe(false);
    expect(isProcessRunning(record)).toBe(false);
  });

  it('treats a record whose pid is gone or reused as not running, and stopping it as done', async () => {
    const record = await start('exec sleep 1000');
    const reused: ProcessRecord = { pid: record.pid, startTime: record.startTime + 1 };
    expect(isProcessRunning(reused)).toBe(false);
    await stopProcessGroup(reused, { graceMs: 100 });
    expect(isProcessRunning(record)).toBe(true);

    const self: ProcessRecord = { pid: process.pid, startTime: 1 };
    expect(isProcessRunning(self)).toBe(false);
    await stopProcessGroup(self, { graceMs: 100 });

    const gone: ProcessRecord = { pid: 2 ** 22 + 7, startTime: 1 };
    expect(isProcessRunning(gone)).toBe(false);
    await stopProcessGroup(gone, { graceMs: 100 });
  });

  it('keeps running after its parent is killed with SIGKILL', async () => {
    const script = fileURLToPath(new URL('./parent-then-die.ts', import.meta.url));
    const parent = spawn(process.execPath, ['--import', 'tsx', script, dir, logFile, stateDirectory], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const line = await new Promise<string>((resolve, reject) => {
      let out = '';
      parent.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('\n')) resolve(out.trim());
      });
      parent.once('exit', (code) => reject(new Error(`parent exited early with ${code}`)));
    });
    const record = JSON.parse(line) as ProcessRecord;
    started.push(record);
    const exited = new Promise((resolve) => parent.once('exit', resolve));
    parent.kill('SIGKILL');
    await exited;
    expect(isProcessRunning(record)).toBe(true);
    expect(await readProcessRecord(stateDirectory)).toEqual(record);
    await stopProcessGroup(record, { graceMs: 5000 });
    expect(isProcessRunning(record)).toBe(false);
  });

  it('reads no record from an empty state folder, and removes one', async () => {
    expect(await readProcessRecord(stateDirectory)).toBeUndefined();
    await start('exec sleep 1000');
    await removeProcessRecord(stateDirectory);
    expect(await readProcessRecord(stateDirectory)).toBeUndefined();
  });

  it('fails with E_INSTANCE_START when the program is missing', async () => {
    const error = await startProcessGroup({
      command: [join(dir, 'no-such-program')],
      cwd: dir,
      env,
      logFile,
      stateDirectory,
    }).catch((e: unknown) => e);
    expect(isPaasmakerError(error, 'E_INSTANCE_START')).toBe(true);
    expect(await readProcessRecord(stateDirectory)).toBeUndefined();
  });
});
