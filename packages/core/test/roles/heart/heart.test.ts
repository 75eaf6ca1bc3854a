import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { definePlugin, type InstanceStateChange, KERNEL_API_VERSION } from '@paasmaker/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { errorFrom } from '../../kernel/test-plugin';
import { HeartFixture, recordingCall } from './heart-fixture';
import { echo, packageApp, randomPortRange, registrationFor } from './heart-test-apps';
import { isAlive, recordedPid, TEST_STARTUP } from './heart-test-plugins';

const fx = new HeartFixture();
beforeEach(() => fx.setUp());
afterEach(() => fx.cleanUp());

const stateFolder = (id: string) => path.join(fx.dataFolder, 'heart', 'instances', id, 'state');

describe('heart: register, start, stop, deregister', () => {
  it('registers, starts an instance that answers on its port with its environment, stops and deregisters it', async () => {
    const changes: InstanceStateChange[] = [];
    const recordChanges = definePlugin({
      name: 'test.changes',
      version: '1.0.0',
      apiVersion: KERNEL_API_VERSION,
      setup(kernel) {
        kernel.hooks.instanceStateChanged.tapPromise('test.changes', async (change) => {
          changes.push(change);
        });
        kernel.hooks.instanceEnvironment.tap('test.changes', (env, context) => ({
          ...env,
          FROM_HOOK: `${context.application}/${context.instanceType}/${context.port}`,
        }));
      },
    });
    const { heart } = await fx.open({ portRange: randomPortRange(20) }, [recordChanges]);
    await heart.start();
    const seen: string[] = [];
    heart.onChange((instance) => seen.push(instance.state));
    const call = recordingCall();

    const registration = registrationFor(await packageApp(fx.root, 'echo'));
    const registered = await heart.register(registration, call);
    expect(registered.state).toBe('REGISTERED');
    expect(registered.port).toEqual(expect.any(Number));
    const catalogue = path.join(fx.dataFolder, 'heart', 'catalogue.json');
    expect((await stat(catalogue)).mode & 0o777).toBe(0o600);
    expect(JSON.parse(await readFile(catalogue, 'utf8')).instances[0].state).toBe('REGISTERED');

    const running = await heart.startInstance(registration.instanceId, call);
    expect(running.state).toBe('RUNNING');
    const port = running.port as number;
    const { env } = await echo(port);
    expect(env).toMatchObject({
      PORT: String(port),
      PM_PORT: String(port),
      GREETING: 'hi',
      PM_METADATA: '{"application":"hello"}',
      FROM_HOOK: `hello/web/${port}`,
    });
    expect(await readFile(running.logFile, 'utf8')).toContain(`listening on ${port}`);

    const refused = await errorFrom(() => heart.deregister(registration.instanceId, call));
    expect(refused.code).toBe('E_INSTANCE_STATE');
    expect(refused.message).toContain('Refusing to de-register an instance in the state RUNNING');

    const pid = (await recordedPid(stateFolder(registration.instanceId))) as number;
    const stopped = await heart.stopInstance(registration.instanceId, call);
    expect(stopped.state).toBe('STOPPED');
    expect(await isAlive(pid)).toBe(false);
    await expect(echo(port)).rejects.toThrow();

    await heart.deregister(registration.instanceId, call);
    expect(heart.instances()).toEqual([]);
    await expect(
      stat(path.join(fx.dataFolder, 'heart', 'instances', registration.instanceId)),
    ).rejects.toThrow();
    await expect(stat(running.logFile)).rejects.toThrow();
    // Again: it is gone already, which is what was asked (an application's deletion retried).
    await heart.deregister(registration.instanceId, call);
    expect(seen).toEqual(['STARTING', 'RUNNING', 'STOPPED']);
    expect(changes.map((change) => `${change.from}>${change.to}@${change.nodeId}`)).toEqual([
      'ALLOCATED>REGISTERED@node-a',
      'REGISTERED>STARTING@node-a',
      'STARTING>RUNNING@node-a',
      'RUNNING>STOPPED@node-a',
      'STOPPED>DEREGISTERED@node-a',
    ]);
    expect((await errorFrom(() => heart.startInstance(registration.instanceId, call))).code).toBe(
      'E_INSTANCE_NOT_FOUND',
    );
  });

  it('runs startup steps before the start, with the instance environment', async () => {
    const { heart } = await fx.open({ portRange: randomPortRange(20) });
    await heart.start();
    const call = recordingCall();
    const registration = registrationFor(await packageApp(fx.root, 'echo'), {
      startup: [{ plugin: TEST_STARTUP, parameters: { file: 'released.txt', env: 'PM_PORT' } }],
    });
    const { port } = await heart.register(registration, call);
    await heart.startInstance(registration.instanceId, call);
    const appFolder = path.join(fx.dataFolder, 'heart', 'instances', registration.instanceId, 'app');
    expect(await readFile(path.join(appFolder, 'released.txt'), 'utf8')).toBe(String(port));
  });

  it('a failing startup step leaves the instance in ERROR with nothing running', async () => {
    const { heart } = await fx.open({ portRange: randomPortRange(20) });
    await heart.start();
    const call = recordingCall();
    const registration = registrationFor(await packageApp(fx.root, 'echo'), {
      startup: [{ plugin: TEST_STARTUP, parameters: { fail: true } }],
    });
    const { port } = await heart.register(registration, call);
    const error = await errorFrom(() => heart.startInstance(registration.instanceId, call));
    expect(error.code).toBe('E_COMMAND_FAILED');
    expect(heart.instance(registration.instanceId)?.state).toBe('ERROR');
    expect(await recordedPid(stateFolder(registration.instanceId))).toBeUndefined();
    await expect(echo(port as number)).rejects.toThrow();
  });

  it('an app that never opens its port fails the start after the timeout and is not left running', async () => {
    const { heart } = await fx.open({ portRange: randomPortRange(20) });
    await heart.start();
    const call = recordingCall();
    const registration = registrationFor(await packageApp(fx.root, 'silent'), {
      healthCheck: { timeoutSeconds: 1 },
    });
    await heart.register(registration, call);
    const error = await errorFrom(() => heart.startInstance(registration.instanceId, call));
    expect(error.code).toBe('E_INSTANCE_START');
    expect(error.message).toContain('did not accept connections');
    expect(heart.instance(registration.instanceId)?.state).toBe('ERROR');
    expect(await recordedPid(stateFolder(registration.instanceId))).toBeUndefined();
    expect(call.lines.join('\n')).toContain('not listening on purpose');
  });

  it('an app that crashes at start fails at once, its output in the call log', async () => {
    const { heart } = await fx.open({ portRange: randomPortRange(20) });
    await heart.start();
    const call = recordingCall();
    // A long timeout: only noticing the exit makes this start fail.
    const registration = registrationFor(await packageApp(fx.root, 'crash'), {
      healthCheck: { timeoutSeconds: 600 },
    });
    await heart.register(registration, call);
    const error = await errorFrom(() => heart.startInstance(registration.instanceId, call));
    expect(error.code).toBe('E_INSTANCE_START');
    expect(error.message).toContain('process exited');
    expect(call.lines.join('\n')).toContain('boom: crashing at start');
    expect(heart.instance(registration.instanceId)?.state).toBe('ERROR');
  }, 20_000);

  it('checks the HTTP health path when the registration names one', async () => {
    const { heart } = await fx.open({ portRange: randomPortRange(20) });
    await heart.start();
    const call = recordingCall();
    const registration = registrationFor(await packageApp(fx.root, 'echo'), {
      healthCheck: { path: '/health', timeoutSeconds: 10 },
    });
    await heart.register(registration, call);
    expect((await heart.startInstance(registration.instanceId, call)).state).toBe('RUNNING');
  });

  it('runs standalone instances without a port', async () => {
    const { heart } = await fx.open({ portRange: randomPortRange(20) });
    await heart.start();
    const call = recordingCall();
    const registration = registrationFor(await packageApp(fx.root, 'silent'), { standalone: true });
    const registered = await heart.register(registration, call);
    expect(registered.port).toBeNull();
    expect((await heart.startInstance(registration.instanceId, call)).state).toBe('RUNNING');
    const pid = (await recordedPid(stateFolder(registration.instanceId))) as number;
    const { env } = JSON.parse(await readFile(`/proc/${pid}/environ`, 'utf8').then(toJson));
    expect(env.PORT).toBeUndefined();
    expect(env.GREETING).toBe('hi');
  });

  it('leaves nothing behind when fetching, unpacking or finding the runtime fails', async () => {
    const { heart } = await fx.open({ portRange: randomPortRange(20) });
    await heart.start();
    const call = recordingCall();
    const good = await packageApp(fx.root, 'echo');
    const cases = [
      { extra: { package: { ...good, checksum: 'bad' } }, code: 'E_PACKAGE_CHECKSUM' },
      { extra: { package: { ...good, url: 'ftp://example.invalid/x' } }, code: 'E_PROVIDER_UNKNOWN' },
      { extra: { package: { ...good, packageType: 'zip' } }, code: 'E_PROVIDER_UNKNOWN' },
      {
        extra: { runtime: { name: 'test.runtime.missing', version: '1', parameters: {} } },
        code: 'E_PROVIDER_UNKNOWN',
      },
    ];
    for (const { extra, code } of cases) {
      const registration = registrationFor(good, extra);
      expect((await errorFrom(() => heart.register(registration, call))).code).toBe(code);
      await expect(
        stat(path.join(fx.dataFolder, 'heart', 'instances', registration.instanceId)),
      ).rejects.toThrow();
    }
    expect(heart.instances()).toEqual([]);
  });
});

/** /proc/<pid>/environ as the echo app's JSON shape. */
function toJson(environ: string): string {
  const env = Object.fromEntries(
    environ
      .split('\0')
      .filter(Boolean)
      .map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]),
  );
  return JSON.stringify({ env });
}
