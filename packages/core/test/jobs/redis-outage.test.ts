import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  createJobEngine,
  createKernel,
  createRedisJobStore,
  type JobEngine,
  type Kernel,
} from '@paasmaker/core';
import { redisUrl } from '@paasmaker/test-servers';
import { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { errorFrom } from '../kernel/test-plugin';
import { unusedPort } from './job-store-test-helpers';
import { createJournal, gate, type JobJournal, step, testJobTypes } from './test-job-types';

// This test stops and restarts a Redis of its own (the shared test Redis must stay up), with an
// append-only file so that what was recorded survives the restart, as a production Redis would.
async function startRedis(dir: string, port: number): Promise<ChildProcess> {
  redisUrl(); // fails with how to start the test servers (which install redis-server) when absent
  const child = spawn(
    'redis-server',
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--dir',
      dir,
      '--appendonly',
      'yes',
      '--appendfsync',
      'always',
      '--save',
      '',
    ],
    { stdio: 'ignore' },
  );
  const probe = new Redis({ port, lazyConnect: true, retryStrategy: () => 50, maxRetriesPerRequest: null });
  probe.on('error', () => {});
  await probe.connect().catch(() => {});
  await probe.ping();
  probe.disconnect();
  return child;
}

async function stopRedis(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

describe('job engine on Redis when Redis goes away', () => {
  let dir: string;
  let port: number;
  let redis: ChildProcess | undefined;
  let kernel: Kernel;
  let journal: JobJournal;
  let engine: JobEngine | undefined;

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'paasmaker-redis-outage-'));
    port = await unusedPort();
    redis = await startRedis(dir, port);
    journal = createJournal();
    kernel = await createKernel({ plugins: [testJobTypes(journal)] });
  });

  afterEach(async () => {
    for (const entry of journal.gates.values()) entry.open();
    await engine?.close();
    await engine?.store.close();
    await kernel.close();
    if (redis && redis.exitCode === null) await stopRedis(redis);
    await rm(dir, { recursive: true, force: true });
  });

  it('fails new trees at once naming Redis, then recovers by itself and loses nothing recorded', async () => {
    engine = await createJobEngine({
      kernel,
      store: createRedisJobStore({ url: `redis://127.0.0.1:${port}` }),
      logDirectory: path.join(dir, 'logs'),
      rescanIntervalMs: 200,
    });
    const treeId = await engine.createTree(
      step('root', { children: [step('during-outage', { waitFor: 'redis-down', opens: 'finished' })] }),
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    await stopRedis(redis as ChildProcess);

    const started = Date.now();
    const refused = await errorFrom(() => engine?.createTree(step('while-down')));
    expect(refused.code).toBe('E_JOBS_UNAVAILABLE');
    expect(refused.message).toContain(`redis://127.0.0.1:${port}`);
    expect(Date.now() - started).toBeLessThan(3_000);

    // The running job finishes while Redis is down; its outcome must reach Redis later.
    gate(journal, 'redis-down').open();
    await gate(journal, 'finished').opened;
    await new Promise((resolve) => setTimeout(resolve, 300));
    redis = await startRedis(dir, port);

    const tree = await engine.waitForTree(treeId);
    expect(tree.jobs.map((job) => [job.title, job.state])).toEqual([
      ['root', 'SUCCESS'],
      ['during-outage', 'SUCCESS'],
    ]);
    const after = await engine.run(step('after-outage'));
    expect(after.jobs[0]?.state).toBe('SUCCESS');
    expect((await engine.listTrees()).total).toBe(2);
  });

  it('reloads its scripts after SCRIPT FLUSH', async () => {
    engine = await createJobEngine({
      kernel,
      store: createRedisJobStore({ url: `redis://127.0.0.1:${port}` }),
      logDirectory: path.join(dir, 'logs'),
    });
    await engine.run(step('before-flush'));
    const admin = new Redis({ port });
    await admin.script('FLUSH');
    await admin.quit();
    const tree = await engine.run(step('after-flush', { children: [step('child')] }));
    expect(tree.jobs.map((job) => job.state)).toEqual(['SUCCESS', 'SUCCESS']);
  });
});
