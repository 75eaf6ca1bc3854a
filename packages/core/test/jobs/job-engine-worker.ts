// A job engine in a process of its own, for the conformance suite's lease tests (a worker killed
// with SIGKILL, a second process with the same node id, an error escaping a job). Started by
// job-engine-process.ts; prints `ready` once the engine runs, or `refused <code>` if it did not start.
import { createJobEngine, createKernel, createRedisJobStore, createSqlJobStore } from '@paasmaker/core';
import type { WorkerOptions } from './job-engine-process';
import { createJournal, testJobTypes } from './test-job-types';

const options = JSON.parse(process.argv[2] as string) as WorkerOptions;
const store =
  options.store.kind === 'redis'
    ? createRedisJobStore({ url: options.store.url, keyPrefix: options.store.keyPrefix })
    : createSqlJobStore(options.store.options);
const kernel = await createKernel({ plugins: [testJobTypes(createJournal())] });
try {
  await createJobEngine({
    kernel,
    store,
    nodeId: options.nodeId,
    leaseMs: options.leaseMs,
    logDirectory: options.logDirectory,
    rescanIntervalMs: 500,
  });
  process.stdout.write('ready\n');
} catch (error) {
  process.stdout.write(`refused ${(error as { code?: string }).code ?? String(error)}\n`);
  await store.close();
  await kernel.close();
}
