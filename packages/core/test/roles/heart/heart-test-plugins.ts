import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, openSync } from 'node:fs';
import { copyFile, cp, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { PaasmakerError } from '../../../src/kernel/errors';
import { definePlugin, KERNEL_API_VERSION } from '../../../src/kernel/plugin-definition';
import { defineCommand } from '../../../src/kernel/providers/command-provider';
import type { RuntimeInstance } from '../../../src/kernel/providers/runtime-provider';

// Imports are relative (not '@paasmaker/core') so that the kill -9 child script can load this file too.

/** The test runtime: `node server.js` in the app folder, detached, its pid in the state folder. */
export const TEST_RUNTIME = 'test.runtime.process';
/** A startup step writing `parameters.file` (with the value of `parameters.env`); `fail: true` fails. */
export const TEST_STARTUP = 'test.startup.write';

const pidFile = (instance: RuntimeInstance) => path.join(instance.stateDirectory, 'pid');

/** The pid the test runtime recorded for an instance, if any. */
export async function recordedPid(stateDirectory: string): Promise<number | undefined> {
  const text = await readFile(path.join(stateDirectory, 'pid'), 'utf8').catch(() => undefined);
  return text === undefined ? undefined : Number(text);
}

/** True when `pid` is a live (not zombie) process. */
export async function isAlive(pid: number): Promise<boolean> {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
}

/** Signals a process group that may have exited already. */
function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // Gone already.
  }
}

async function runningPid(instance: RuntimeInstance): Promise<number | undefined> {
  const pid = await recordedPid(instance.stateDirectory);
  return pid !== undefined && (await isAlive(pid)) ? pid : undefined;
}

/** Runtime, startup step, `file:` fetcher and `dir` unpacker for heart tests. */
export const heartTestPlugin = definePlugin({
  name: 'test.heart',
  version: '1.0.0',
  apiVersion: KERNEL_API_VERSION,
  setup(kernel) {
    kernel.hooks.runtime.for(TEST_RUNTIME).tap('test.heart', () => ({
      versions: async () => [process.versions.node],
      async start(instance) {
        const out = openSync(instance.logFile, 'a');
        const child = spawn(process.execPath, ['server.js'], {
          cwd: instance.directory,
          env: instance.environment,
          detached: true,
          stdio: ['ignore', out, out],
        });
        closeSync(out);
        child.unref();
        await writeFile(pidFile(instance), String(child.pid));
      },
      async stop(instance) {
        const pid = await runningPid(instance);
        if (pid !== undefined) {
          signalGroup(pid, 'SIGTERM');
          for (let waited = 0; waited < 3_000 && (await isAlive(pid)); waited += 20) await sleep(20);
          if (await isAlive(pid)) signalGroup(pid, 'SIGKILL');
          while (await isAlive(pid)) await sleep(20);
        }
        await rm(pidFile(instance), { force: true });
      },
      status: async (instance) => ((await runningPid(instance)) === undefined ? 'stopped' : 'running'),
    }));
    kernel.hooks.startup.for(TEST_STARTUP).tap('test.heart', () =>
      defineCommand({
        parametersSchema: {
          type: 'object',
          properties: { file: { type: 'string' }, env: { type: 'string' }, fail: { type: 'boolean' } },
        },
        async run({ directory, environment, parameters }) {
          if (parameters.fail) throw new Error('startup step failed on purpose');
          const value = environment[parameters.env ?? 'PORT'] ?? '';
          await writeFile(path.join(directory, parameters.file ?? 'startup.txt'), value);
        },
      }),
    );
    kernel.hooks.fetcher.for('file').tap('test.heart', () => ({
      async fetch({ url, checksum, destination }) {
        await copyFile(fileURLToPath(url), destination);
        const actual = createHash('sha256')
          .update(await readFile(destination))
          .digest('hex');
        if (actual !== checksum)
          throw new PaasmakerError('E_PACKAGE_CHECKSUM', `checksum of ${url} is ${actual}`);
      },
    }));
    kernel.hooks.unpacker.for('dir').tap('test.heart', () => ({
      async unpack({ file, targetDirectory }) {
        const { folder } = JSON.parse(await readFile(file, 'utf8')) as { folder: string };
        await cp(folder, targetDirectory, { recursive: true });
      },
    }));
  },
});
