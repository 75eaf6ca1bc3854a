// @ts-check
// npm run bench:jobs — no-op job trees in three shapes on Paasmaker's Redis and SQLite job
// stores and as BullMQ flows on the same Redis, with the same worker concurrency. Prints jobs/s
// and peak memory per case, the ratio to BullMQ, and writes the output to bench/results/.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  createJobEngine,
  createKernel,
  createRedisJobStore,
  createSqlJobStore,
  definePlugin,
} from '@paasmaker/core';
import { FlowProducer, QueueEvents, Worker } from 'bullmq';
import { shapes } from './tree-shapes.mjs';

const redisUrl = process.env.PAASMAKER_TEST_REDIS_URL;
if (!redisUrl) throw new Error('PAASMAKER_TEST_REDIS_URL is not set: run this through `npm run bench:jobs`.');
const concurrency = 16;
const runsPerCase = 5;
const warmUps = 3;
/** @type {string[]} */
const lines = [];
const say = (/** @type {string} */ line) => {
  lines.push(line);
  process.stdout.write(`${line}\n`);
};

/** Samples RSS while `work` runs; returns its result and the peak in MiB. */
async function withPeakMemory(/** @type {() => Promise<number>} */ work) {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 5);
  try {
    const seconds = await work();
    return { seconds, peakMiB: Math.max(peak, process.memoryUsage().rss) / 2 ** 20 };
  } finally {
    clearInterval(timer);
  }
}

/** The median of several timed runs of one shape, after warm-up runs (JIT, connections). */
async function measure(/** @type {(shape: any) => Promise<number>} */ runOnce, /** @type {any} */ shape) {
  for (let i = 0; i < warmUps; i++) await runOnce(shape);
  const seconds = [];
  let peakMiB = 0;
  for (let i = 0; i < runsPerCase; i++) {
    globalThis.gc?.();
    const result = await withPeakMemory(() => runOnce(shape));
    seconds.push(result.seconds);
    peakMiB = Math.max(peakMiB, result.peakMiB);
  }
  seconds.sort((a, b) => a - b);
  const median = /** @type {number} */ (seconds[Math.floor(seconds.length / 2)]);
  return { jobsPerSecond: shape.jobs / median, peakMiB };
}

async function paasmakerCase(/** @type {string} */ name, /** @type {() => any} */ makeStore) {
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
  const logDirectory = await mkdtemp(path.join(tmpdir(), 'paasmaker-bench-logs-'));
  const store = makeStore();
  const engine = await createJobEngine({ kernel, store, nodeId: 'bench', concurrency, logDirectory });
  return {
    name,
    runOnce: async (/** @type {any} */ shape) => {
      const started = process.hrtime.bigint();
      await engine.run(shape.paasmaker());
      return Number(process.hrtime.bigint() - started) / 1e9;
    },
    close: async () => {
      await engine.close();
      await store.close();
      await kernel.close();
      await rm(logDirectory, { recursive: true, force: true });
    },
  };
}

async function bullmqCase() {
  const connection = { url: redisUrl, maxRetriesPerRequest: null };
  const queueName = `bench-${process.pid}`;
  const flows = new FlowProducer({ connection });
  const worker = new Worker(queueName, async () => undefined, { connection, concurrency });
  const events = new QueueEvents(queueName, { connection });
  await Promise.all([worker.waitUntilReady(), events.waitUntilReady()]);
  return {
    name: 'BullMQ flows',
    runOnce: async (/** @type {any} */ shape) => {
      const started = process.hrtime.bigint();
      const flow = await flows.add(shape.bullmq(queueName));
      await flow.job.waitUntilFinished(events, 600_000);
      return Number(process.hrtime.bigint() - started) / 1e9;
    },
    close: async () => {
      await worker.close();
      await events.close();
      await flows.close();
    },
  };
}

async function main() {
  const sqliteDir = await mkdtemp(path.join(tmpdir(), 'paasmaker-bench-sqlite-'));
  const cases = [
    await paasmakerCase('Paasmaker Redis', () =>
      createRedisJobStore({ url: redisUrl, keyPrefix: `bench:${process.pid}:` }),
    ),
    await paasmakerCase('Paasmaker SQLite', () =>
      createSqlJobStore({ filename: path.join(sqliteDir, 'jobs.db') }),
    ),
    await bullmqCase(),
  ];
  say(
    `bench:jobs — ${new Date().toISOString()} — Node ${process.version}, worker concurrency ${concurrency}, median of ${runsPerCase} runs after ${warmUps} warm-ups`,
  );
  say('');
  say(`${'shape'.padEnd(28)}${cases.map((c) => c.name.padStart(20)).join('')}   Redis/BullMQ   SQLite/Redis`);
  const ratios = [];
  for (const shape of shapes) {
    const results = [];
    for (const benchCase of cases) results.push(await measure(benchCase.runOnce, shape));
    const [redis, sqlite, bullmq] = results.map((result) => result.jobsPerSecond);
    if (redis === undefined || sqlite === undefined || bullmq === undefined)
      throw new Error('a case is missing');
    const ratio = redis / bullmq;
    ratios.push(ratio);
    say(
      `${`${shape.name} (${shape.jobs} jobs)`.padEnd(28)}${results
        .map((r) => `${Math.round(r.jobsPerSecond)} jobs/s`.padStart(20))
        .join('')}   ${ratio.toFixed(2).padStart(12)}   ${(sqlite / redis).toFixed(2).padStart(12)}`,
    );
    say(
      `${'  peak RSS'.padEnd(28)}${results.map((r) => `${Math.round(r.peakMiB)} MiB`.padStart(20)).join('')}`,
    );
  }
  for (const benchCase of cases) await benchCase.close();
  await rm(sqliteDir, { recursive: true, force: true });
  say('');
  say(`bench:jobs min-ratio-vs-bullmq=${Math.min(...ratios).toFixed(2)}`);
  const resultsDir = fileURLToPath(new URL('../results/', import.meta.url));
  await mkdir(resultsDir, { recursive: true });
  await writeFile(path.join(resultsDir, 'jobs.txt'), `${lines.join('\n')}\n`);
}

await main();
