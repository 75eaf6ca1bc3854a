import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { shellCommandsPlugin } from '../../src/commands/index';
import { isPaasmakerError } from '../../src/kernel/errors';
import { createKernel, type Kernel } from '../../src/kernel/kernel';
import type { CommandProvider } from '../../src/kernel/providers/command-provider';
import type { ProviderCall } from '../../src/kernel/providers/provider-call';

/** True while `pid` runs; a killed process's zombie (not yet reaped by init) counts as gone. */
function isLive(pid: number): boolean {
  try {
    return !/\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

interface LogLine {
  msg: string;
  stream?: string;
}

/** A pino logger whose records are collected, parsed, in `lines`. */
function collectingLogger() {
  const lines: LogLine[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const text of chunk.toString().split('\n'))
        if (text !== '') lines.push(JSON.parse(text) as LogLine);
      done();
    },
  });
  return { log: pino({ level: 'info' }, stream), lines };
}

describe('paasmaker.prepare.shell / paasmaker.startup.shell', () => {
  let dir: string;
  let kernel: Kernel;
  let provider: CommandProvider;
  let collected: ReturnType<typeof collectingLogger>;
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', GREETING: 'hello world' };
  const call = (signal: AbortSignal = new AbortController().signal): ProviderCall => ({
    log: collected.log,
    signal,
  });
  const messages = () => collected.lines.map((line) => line.msg);

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'shell-commands-'));
    kernel = await createKernel({ plugins: [shellCommandsPlugin] });
    provider = kernel.provider('prepare', 'paasmaker.prepare.shell');
    collected = collectingLogger();
  });

  afterEach(async () => {
    await kernel.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('is registered as both the prepare and the startup step', () => {
    expect(kernel.provider('startup', 'paasmaker.startup.shell')).toBe(provider);
    expect(provider.parametersSchema).toMatchObject({ required: ['commands'] });
  });

  it('runs the commands in order in the folder with the environment, logging each line', async () => {
    await provider.run(
      {
        directory: dir,
        environment: env,
        parameters: { commands: ['echo "$GREETING" > greeting.txt; pwd', 'cat greeting.txt; echo oops >&2'] },
      },
      call(),
    );
    expect(await readFile(join(dir, 'greeting.txt'), 'utf8')).toBe('hello world\n');
    expect(messages()).toEqual([
      '$ echo "$GREETING" > greeting.txt; pwd',
      dir,
      '$ cat greeting.txt; echo oops >&2',
      ...(messages().indexOf('oops') < messages().indexOf('hello world')
        ? ['oops', 'hello world']
        : ['hello world', 'oops']),
    ]);
    expect(collected.lines.find((line) => line.msg === 'oops')?.stream).toBe('stderr');
    expect(collected.lines.find((line) => line.msg === 'hello world')?.stream).toBe('stdout');
  });

  it('fails with the exit code and runs nothing after the failing command', async () => {
    const error = await provider
      .run(
        { directory: dir, environment: env, parameters: { commands: ['echo one', 'exit 2', 'touch ran'] } },
        call(),
      )
      .catch((e: unknown) => e);
    expect(isPaasmakerError(error, 'E_COMMAND_FAILED')).toBe(true);
    expect((error as Error).message).toBe('Command `exit 2` exited with code 2');
    expect(messages()).toEqual(['$ echo one', 'one', '$ exit 2']);
    await expect(readFile(join(dir, 'ran'))).rejects.toThrow();
  });

  it('fails a command killed by a signal', async () => {
    const error = await provider
      .run({ directory: dir, environment: env, parameters: { commands: ['kill -9 $$'] } }, call())
      .catch((e: unknown) => e);
    expect(isPaasmakerError(error, 'E_COMMAND_FAILED')).toBe(true);
    expect((error as Error).message).toBe('Command `kill -9 $$` was killed by SIGKILL');
  });

  it('kills a command that runs past its timeout, with its whole group', async () => {
    const error = await provider
      .run(
        {
          directory: dir,
          environment: env,
          parameters: { commands: [`sleep 1000 & echo $! > child.pid; wait`], timeout: 0.3 },
        },
        call(),
      )
      .catch((e: unknown) => e);
    expect(isPaasmakerError(error, 'E_COMMAND_FAILED')).toBe(true);
    expect((error as Error).message).toBe(
      'Command `sleep 1000 & echo $! > child.pid; wait` timed out after 0.3 s',
    );
    const child = Number(await readFile(join(dir, 'child.pid'), 'utf8'));
    expect(isLive(child)).toBe(false);
  });

  it('stops when the call is aborted', async () => {
    const controller = new AbortController();
    const running = provider.run(
      {
        directory: dir,
        environment: env,
        parameters: { commands: ['echo started; exec sleep 1000', 'touch ran'] },
      },
      call(controller.signal),
    );
    for (;;) {
      if (messages().includes('started')) break;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    controller.abort(new Error('job aborted'));
    const error = await running.catch((e: unknown) => e);
    expect(isPaasmakerError(error, 'E_COMMAND_FAILED')).toBe(true);
    expect((error as Error).message).toBe('Command `echo started; exec sleep 1000` was aborted');
    await expect(readFile(join(dir, 'ran'))).rejects.toThrow();
  });

  it('does not start when already aborted', async () => {
    const error = await provider
      .run(
        { directory: dir, environment: env, parameters: { commands: ['touch ran'] } },
        call(AbortSignal.abort()),
      )
      .catch((e: unknown) => e);
    expect(isPaasmakerError(error, 'E_COMMAND_FAILED')).toBe(true);
    await expect(readFile(join(dir, 'ran'))).rejects.toThrow();
  });

  it('kills a background process a finished command left behind', async () => {
    await provider.run(
      { directory: dir, environment: env, parameters: { commands: ['sleep 1000 & echo $! > child.pid'] } },
      call(),
    );
    const child = Number(await readFile(join(dir, 'child.pid'), 'utf8'));
    expect(isLive(child)).toBe(false);
  });

  it('fails when the folder does not exist', async () => {
    const error = await provider
      .run({ directory: join(dir, 'missing'), environment: env, parameters: { commands: ['true'] } }, call())
      .catch((e: unknown) => e);
    expect(isPaasmakerError(error, 'E_COMMAND_FAILED')).toBe(true);
  });
});
