import { readFile } from 'node:fs/promises';
import path from 'node:path';
import {
  createJobEngine,
  createSqlJobStore,
  isPaasmakerError,
  type JobEngine,
  type JsonObject,
  type Kernel,
} from '@paasmaker/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HEART_JOB_TYPES, type Heart } from '../../../src/roles/heart/index';
import { errorFrom } from '../../kernel/test-plugin';
import { HeartFixture } from './heart-fixture';
import { echo, packageApp, randomPortRange, registrationFor } from './heart-test-apps';

const fx = new HeartFixture();
let engine: JobEngine;
let heart: Heart;
let kernel: Kernel;

beforeEach(async () => {
  await fx.setUp();
  ({ heart, kernel } = await fx.open({ portRange: randomPortRange(20) }));
  await heart.start();
  engine = await createJobEngine({
    kernel,
    store: createSqlJobStore({ filename: path.join(fx.root, 'jobs.db') }),
    nodeId: 'node-a',
    logDirectory: path.join(fx.root, 'job-logs'),
  });
});

afterEach(async () => {
  await engine.close();
  await engine.store.close();
  await fx.cleanUp();
});

const runJob = async (type: string, parameters: JsonObject) => {
  const tree = await engine.run({ type, parameters });
  return tree.jobs[0]?.result;
};

describe('heart job types on a real job engine', () => {
  it('registers, starts, stops and deregisters an instance', async () => {
    const registration = registrationFor(await packageApp(fx.root, 'echo'));
    const { instanceId } = registration;
    const registered = (await runJob(HEART_JOB_TYPES.register, {
      registration,
    })) as { port: number };
    expect(registered.port).toBe(heart.instance(instanceId)?.port);
    expect(await runJob(HEART_JOB_TYPES.startup, { instanceId })).toEqual({ state: 'RUNNING' });
    const { pid } = await echo(registered.port);
    fx.pids.add(pid);
    expect(await runJob(HEART_JOB_TYPES.shutdown, { instanceId })).toEqual({ state: 'STOPPED' });
    expect(await runJob(HEART_JOB_TYPES.deregister, { instanceId })).toEqual({ state: 'DEREGISTERED' });
    expect(heart.instances()).toEqual([]);
  });

  it('fails the startup job of an app that never answers, with the instance log in the job log', async () => {
    const registration = registrationFor(await packageApp(fx.root, 'silent'), {
      healthCheck: { timeoutSeconds: 1 },
    });
    await runJob(HEART_JOB_TYPES.register, { registration });
    const treeId = await engine.createTree({
      type: HEART_JOB_TYPES.startup,
      parameters: { instanceId: registration.instanceId },
    });
    const tree = await engine.waitForTree(treeId);
    expect(tree.jobs[0]?.state).toBe('FAILED');
    expect(tree.jobs[0]?.summary).toContain('did not start');
    const log = await readFile(engine.logs.pathOf(treeId), 'utf8');
    expect(log).toContain('not listening on purpose');
    expect(heart.instance(registration.instanceId)?.state).toBe('ERROR');
  });

  it('refuses register parameters that are not a registration', async () => {
    const error = await errorFrom(() =>
      engine.run({ type: HEART_JOB_TYPES.register, parameters: { registration: {} } }),
    );
    expect(isPaasmakerError(error, 'E_JOB_PARAMETERS')).toBe(true);
  });
});
