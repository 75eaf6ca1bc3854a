// @ts-check
// One case of bench:jobs in a process of its own: `node run-case.mjs <case> <shape index>`.
// Prints one JSON line: { jobsPerSecond, peakMiB } (median of the timed runs, peak RSS).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  createJobEngine,
  createKernel,
  createRedisJobStore,
  createSqlJobStore,
  definePlugin,
} from '@paasmaker/core';
import { FlowProducer, QueueEvents, Worker } from 'bullmq';
import { shapes } from './tree-shapes.mjs';

const [caseName, shapeIndex] = process.argv.slice(2);
const chosen = shapes[Number(shapeIndex)];
const redisUrl = process.env.PAASMAKER_TEST_REDIS_URL;
if (!chosen || !redisUrl)
  throw new Error(
    'usage: run-case.mjs <paasmaker-redis|paasmaker-sqlite|bullmq> <shape>, with PAASMAKER_TEST_REDIS_URL set',
  );
const shape = chosen;
const concurrency = 16;
const warmUps = 3;
const timedRuns = 5;
const folder = await mkdtemp(path.join(tmpdir(), 'paasmaker-bench-'));

/** @returns {Promise<{ runOnce(): Promise<void>, close(): Promise<void> }>} */
async function paasmaker(/** @type {import('@paasmaker/core').JobStore} */ store) {
  const noop = definePlugin({
    name: 'bench.jobs',
    version: '1.0.0',
    apiVersion: 1,
    setup(kernel) {
      kernel.hooks.jobType.for('bench.noop').tap('bench.jobs', () => ({
        parametersSchema: { type: 'object' },
        run: async () => undefined,
      }));
    },
  });
  const kernel = await createKernel({ plugins: [noop] });
  const engine = await createJobEngine({
    kernel,
    store,
    nodeId: 'bench',
    concurrency,
    logDirectory: path.join(folder, 'logs'),
  });
  return {
    runOnce: async () => {
      await engine.run(/** @type {import('@paasmaker/core').JobSpec} */ (shape.paasmaker()));
    },
    close: async () => {
      await engine.close();
      await store.close();
      await kernel.close();
    },
  };
}

/** @returns {Promise<{ runOnce(): Promise<void>, close(): Promise<void> }>} */
async function bullmq() {
  const connection = { url: redisUrl, maxRetriesPerRequest: null };
  const queueName = `bench-${process.pid}`;
  const flows = new FlowProducer({ connection });
  const worker = new Worker(queueName, async () => undefined, { connection, concurrency });
  const events = new QueueEvents(queueName, { connection });
  await Promise.all([worker.waitUntilReady(), events.waitUntilReady()]);
  return {
    runOnce: async () => {
      const flow = await flows.add(/** @type {import('bullmq').FlowJob} */ (shape.bullmq(queueName)));
      await flow.job.waitUntilFinished(events, 600_000);
    },
    close: async () => {
      await worker.close();
      await events.close();
      await flows.close();
    },
  };
}

const subject =
  caseName === 'paasmaker-redis'
    ? await paasmaker(createRedisJobStore({ url: redisUrl, keyPrefix: `bench:${process.pid}:` }))
    : caseName === 'paasmaker-sqlite'
      ? await paasmaker(createSqlJobStore({ filename: path.join(folder, 'jobs.db') }))
      : await bullmq();
for (let i = 0; i < warmUps; i++) await subject.runOnce();
const seconds = [];
for (let i = 0; i < timedRuns; i++) {
  const started = process.hrtime.bigint();
  await subject.runOnce();
  seconds.push(Number(process.hrtime.bigint() - started) / 1e9);
}
await subject.close();
await rm(folder, { recursive: true, force: true });
seconds.sort((a, b) => a - b);
const median = /** @type {number} */ (seconds[Math.floor(seconds.length / 2)]);
process.stdout.write(
  `${JSON.stringify({ jobsPerSecond: shape.jobs / median, peakMiB: process.resourceUsage().maxRSS / 1024 })}\n`,
);
