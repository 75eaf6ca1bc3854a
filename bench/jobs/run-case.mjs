// @ts-check
// One case of bench:jobs in a process of its own:
//   node run-case.mjs <case> <shape> [warm-ups] [timed runs]
// <case>: paasmaker-redis | paasmaker-sqlite | paasmaker-postgres | bullmq | minimal;
// <shape>: an index into `shapes`, or `wide:<jobs>` (1 root + jobs-1 leaves) for the scaling rows.
// Prints one JSON line: { jobsPerSecond, peakMiB } (median of the timed runs, peak RSS).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FlowProducer, QueueEvents, Worker } from 'bullmq';
import pg from 'pg';
import { createMinimalEngine } from './minimal-engine.mjs';
import { shapes, wideShape } from './tree-shapes.mjs';

// The runner passes a snapshot of the built package (BENCH_JOBS_CORE), so that a build running
// meanwhile in the same working tree cannot pull the files from under a case.
/** @type {typeof import('@paasmaker/core')} */
const core = await import(process.env.BENCH_JOBS_CORE ?? '@paasmaker/core');
const { createJobEngine, createKernel, createRedisJobStore, createSqlJobStore, definePlugin } = core;

const [caseName, shapeArgument = '', warmUpArgument = '3', timedArgument = '5'] = process.argv.slice(2);
const chosen = shapeArgument.startsWith('wide:')
  ? wideShape(Number(shapeArgument.slice(5)))
  : shapes[Number(shapeArgument)];
const redisUrl = process.env.PAASMAKER_TEST_REDIS_URL;
if (!chosen || !redisUrl)
  throw new Error(
    'usage: run-case.mjs <paasmaker-redis|paasmaker-sqlite|paasmaker-postgres|bullmq|minimal> <shape> [warm-ups] [runs], with PAASMAKER_TEST_REDIS_URL set',
  );
const shape = chosen;
const concurrency = 16;
const warmUps = Number(warmUpArgument);
const timedRuns = Number(timedArgument);
const folder = await mkdtemp(path.join(tmpdir(), 'paasmaker-bench-'));

/** @typedef {{ runOnce(): Promise<void>, close(): Promise<void> }} Subject */

/** @returns {Promise<Subject>} */
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

/** A database of its own on the test server, dropped at the end. @returns {Promise<Subject>} */
async function paasmakerPostgres() {
  const serverUrl = process.env.PAASMAKER_TEST_POSTGRES_URL;
  if (!serverUrl) throw new Error('paasmaker-postgres needs PAASMAKER_TEST_POSTGRES_URL');
  const database = `bench_jobs_${process.pid}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${database}`);
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  const subject = await paasmaker(createSqlJobStore({ connection: url.toString() }));
  return {
    runOnce: subject.runOnce,
    close: async () => {
      await subject.close();
      await admin.query(`DROP DATABASE ${database} WITH (FORCE)`);
      await admin.end();
    },
  };
}

/** @returns {Promise<Subject>} */
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

/** @returns {Promise<Subject>} */
async function minimal() {
  const engine = await createMinimalEngine({
    url: /** @type {string} */ (redisUrl),
    concurrency,
    prefix: `bench-minimal:${process.pid}:`,
  });
  return { runOnce: () => engine.run(shape.tree), close: engine.close };
}

/** @type {Record<string, () => Promise<Subject>>} */
const subjects = {
  'paasmaker-redis': () =>
    paasmaker(createRedisJobStore({ url: redisUrl, keyPrefix: `bench:${process.pid}:` })),
  'paasmaker-sqlite': () => paasmaker(createSqlJobStore({ filename: path.join(folder, 'jobs.db') })),
  'paasmaker-postgres': paasmakerPostgres,
  bullmq,
  minimal,
};
const makeSubject = subjects[caseName ?? ''];
if (!makeSubject) throw new Error(`unknown case ${caseName}`);
const subject = await makeSubject();
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
