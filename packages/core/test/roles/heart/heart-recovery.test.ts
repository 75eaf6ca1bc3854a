import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Heart, HeartInstanceState } from '../../../src/roles/heart/index';
import { HeartFixture, recordingCall } from './heart-fixture';
import { echo, packageApp, randomPortRange, registrationFor } from './heart-test-apps';
import { isAlive, recordedPid } from './heart-test-plugins';

const fx = new HeartFixture();
beforeEach(() => fx.setUp());
afterEach(() => fx.cleanUp());

const stateFolder = (id: string) => path.join(fx.dataFolder, 'heart', 'instances', id, 'state');

/** Resolves once the instance reaches `state` (the test's timeout bounds the wait). */
function reaches(heart: Heart, instanceId: string, state: HeartInstanceState): Promise<void> {
  return new Promise((resolve) => {
    const stop = heart.onChange((instance) => {
      if (instance.instanceId === instanceId && instance.state === state) {
        stop();
        resolve();
      }
    });
  });
}

async function runningInstance(heart: Heart) {
  const call = recordingCall();
  const registration = registrationFor(await packageApp(fx.root, 'echo'));
  await heart.register(registration, call);
  const instance = await heart.startInstance(registration.instanceId, call);
  const pid = (await recordedPid(stateFolder(instance.instanceId))) as number;
  fx.pids.add(pid);
  return { instanceId: instance.instanceId, port: instance.port as number, pid };
}

describe('heart: crashes and restarts', () => {
  it('reports an instance whose process died as ERROR and restarts it', async () => {
    const { heart } = await fx.open({
      portRange: randomPortRange(20),
      restartBackoffMs: { initial: 100, max: 1000 },
    });
    await heart.start();
    const { instanceId, port, pid } = await runningInstance(heart);
    const errored = reaches(heart, instanceId, 'ERROR');
    const restarted = reaches(heart, instanceId, 'RUNNING');
    process.kill(pid, 'SIGKILL');
    await errored;
    await restarted;
    const answer = await echo(port);
    expect(answer.pid).not.toBe(pid);
    fx.pids.add(answer.pid);
    expect(await readFile(heart.instance(instanceId)?.logFile as string, 'utf8')).toContain(
      'Determined not to be running.',
    );
  }, 20_000);

  it('re-adopts instances that kept running while the heart was closed', async () => {
    const first = await fx.open({ portRange: randomPortRange(20) });
    await first.heart.start();
    const { instanceId, port, pid } = await runningInstance(first.heart);
    await first.kernel.close();
    expect(await isAlive(pid)).toBe(true);

    const { heart } = await fx.open({ portRange: randomPortRange(20) });
    await heart.start();
    expect(heart.instance(instanceId)).toMatchObject({ state: 'RUNNING', port });
    expect(await recordedPid(stateFolder(instanceId))).toBe(pid);
    expect((await echo(port)).pid).toBe(pid);
  });

  it('restarts on start() an instance killed while the heart was down', async () => {
    const first = await fx.open({ portRange: randomPortRange(20) });
    await first.heart.start();
    const { instanceId, port, pid } = await runningInstance(first.heart);
    await first.kernel.close();
    process.kill(pid, 'SIGKILL');
    while (await isAlive(pid)) await new Promise((resolve) => setTimeout(resolve, 20));

    const { heart } = await fx.open();
    await heart.start();
    expect(heart.instance(instanceId)?.state).toBe('RUNNING');
    const answer = await echo(port);
    expect(answer.pid).not.toBe(pid);
    fx.pids.add(answer.pid);
  });

  it('with stopInstancesOnClose suspends instances on close and starts them again on start()', async () => {
    const first = await fx.open({ portRange: randomPortRange(20), stopInstancesOnClose: true });
    await first.heart.start();
    const { instanceId, port, pid } = await runningInstance(first.heart);
    await first.heart.close();
    expect(first.heart.instance(instanceId)?.state).toBe('SUSPENDED');
    expect(await isAlive(pid)).toBe(false);

    const { heart } = await fx.open();
    await heart.start();
    expect(heart.instance(instanceId)?.state).toBe('RUNNING');
    fx.pids.add((await echo(port)).pid);
  });

  it('marks an instance ERROR on start() when its runtime is no longer loaded', async () => {
    const first = await fx.open({ portRange: randomPortRange(20) });
    await first.heart.start();
    const call = recordingCall();
    const registration = registrationFor(await packageApp(fx.root, 'echo'));
    await first.heart.register(registration, call);
    await first.heart.startInstance(registration.instanceId, call);
    await fx.trackPids(first.heart);
    await first.kernel.close();
    const catalogue = path.join(fx.dataFolder, 'heart', 'catalogue.json');
    const text = await readFile(catalogue, 'utf8');
    const { writeFile } = await import('node:fs/promises');
    await writeFile(catalogue, text.replace('test.runtime.process', 'test.runtime.gone'));

    const { heart } = await fx.open();
    await heart.start();
    expect(heart.instance(registration.instanceId)?.state).toBe('ERROR');
  });

  it('finds every instance again after the heart process is killed with SIGKILL', async () => {
    const portRange = randomPortRange(20);
    const pkg = await packageApp(fx.root, 'echo');
    const script = fileURLToPath(new URL('./heart-child.ts', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', script], {
      env: {
        ...process.env,
        HEART_DATA: fx.dataFolder,
        HEART_PORTS: JSON.stringify(portRange),
        HEART_PACKAGE: JSON.stringify(pkg),
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const started = await new Promise<{ instanceId: string; port: number }>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (chunk) => {
        out += chunk;
        if (out.includes('\n')) resolve(JSON.parse(out.slice(0, out.indexOf('\n'))));
      });
      child.once('exit', (code) => reject(new Error(`heart child exited with ${code}`)));
    });
    const pid = (await recordedPid(stateFolder(started.instanceId))) as number;
    fx.pids.add(pid);
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;

    const { heart } = await fx.open({ portRange });
    await heart.start();
    expect(heart.instances().map((instance) => [instance.instanceId, instance.state, instance.port])).toEqual(
      [[started.instanceId, 'RUNNING', started.port]],
    );
    expect((await echo(started.port)).pid).toBe(pid);
  }, 30_000);
});
