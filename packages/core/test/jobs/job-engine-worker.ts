// A job engine in a process of its own, for the conformance suite's lease and reconnect tests (a
// worker killed with SIGKILL, a second process with the same node id, an error escaping a job, a
// waiter in another process). Started by job-engine-process.ts; prints `ready` once the engine
// runs, or `refused <code>` if it did not start; with `waitForTree`, then waits for that tree.
import { createJobEngine, createKernel, createRedisJobStore, createSqlJobStore } from '@paasmaker/core';
import type { WorkerOptions } from './job-engine-process';
import { probeJobReads } from './job-read-probe';
import { createJournal, testJobTypes } from './test-job-types';

const options = JSON.parse(process.argv[2] as string) as WorkerOptions;
const print = (line: string): void => void process.stdout.write(`${line}\n`);
const store =
  options.store.kind === 'redis'
    ? createRedisJobStore({ url: options.store.url, keyPrefix: options.store.keyPrefix })
    : createSqlJobStore(options.store.options);
const { waitForTree } = options;
if (waitForTree) probeJobReads(store, waitForTree, (job) => print(`read ${job?.state}`));
const kernel = await createKernel({ plugins: [testJobTypes(createJournal())] });
const engine = await createJobEngine({
  kernel,
  store,
  nodeId: options.nodeId,
  leaseMs: options.leaseMs,
  logDirectory: options.logDirectory,
  rescanIntervalMs: 500,
}).catch(async (error: unknown) => {
  print(`refused ${(error as { code?: string }).code ?? String(error)}`);
  await store.close();
  await kernel.close();
  return undefined;
});
if (engine) print('ready');
if (engine && waitForTree) {
  const tree = await engine.waitForTree(waitForTree);
  print(`finished ${tree.jobs[0]?.state}`);
}
