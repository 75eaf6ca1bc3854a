// @ts-check
// npm run bench:jobs — no-op job trees on Paasmaker's Redis and SQLite job stores, as BullMQ
// flows, and on a minimal two-EVALSHA engine (the floor of a Redis engine; minimal-engine.mjs),
// all on the same Redis with the same worker concurrency. Every case runs in a process of its
// own (clean memory, no idle connections of the others). The shapes run in interleaved rounds
// (every case once per round, in a rotating order), and each ratio is the median of its
// per-round ratios, so that load from elsewhere on the machine hits both sides of a ratio.
// Then the scaling rows: trees of 1 root + N leaves of 1,000 / 10,000 / 100,000 jobs on every
// store, one run each. Prints jobs/s and peak RSS, and writes bench/results/jobs.txt.
import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import { cp, mkdir, rm, writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { scalingSizes, shapes } from './tree-shapes.mjs';

const run = promisify(execFile);
// Fewer rounds or other sizes for a quick look: BENCH_JOBS_ROUNDS=1 BENCH_JOBS_SIZES=1000,10000.
const rounds = Number(process.env.BENCH_JOBS_ROUNDS ?? 5);
const sizes = process.env.BENCH_JOBS_SIZES?.split(',').filter(Boolean).map(Number) ?? scalingSizes;
// Warm engines are compared: every engine got faster for many runs after its start. Time per
// run, one process each (2026-12-07): BullMQ's chain 301, 238, 173, 131 ... ms, steady at 75-100
// from about run 7; Paasmaker's chain 124, 112, 103, 78, 62, 60 ... steady at 31-38 from about run
// 12 (with 5 warm-ups, timed runs 6-8 read about 60 ms); BullMQ's wide tree 557 ... steady at about
// 200 from run 6. So 15 warm-ups, and the median of 5 timed runs.
const warmUps = 15;
const timedRuns = 5;
const cases = [
  { id: 'paasmaker-redis', title: 'Paasmaker Redis' },
  { id: 'paasmaker-sqlite', title: 'Paasmaker SQLite' },
  { id: 'bullmq', title: 'BullMQ flows' },
  { id: 'minimal', title: 'minimal 2-EVALSHA' },
];
const scalingCases = [
  { id: 'paasmaker-redis', title: 'Paasmaker Redis' },
  { id: 'paasmaker-sqlite', title: 'Paasmaker SQLite' },
  { id: 'paasmaker-postgres', title: 'Paasmaker Postgres' },
  { id: 'bullmq', title: 'BullMQ flows' },
  { id: 'minimal', title: 'minimal 2-EVALSHA' },
];
/** @type {string[]} */
const lines = [];
const say = (/** @type {string} */ line) => {
  lines.push(line);
  process.stdout.write(`${line}\n`);
};
const load = () =>
  loadavg()
    .map((value) => value.toFixed(2))
    .join(', ');
const median = (/** @type {number[]} */ values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return /** @type {number} */ (sorted[Math.floor(sorted.length / 2)]);
};

// Every case imports one snapshot of the built package, taken now: others may rebuild
// packages/core/dist in this working tree while the bench runs. It sits in the repository so
// that its imports resolve from the repository's node_modules.
const snapshot = fileURLToPath(new URL(`./.core-snapshot-${process.pid}/`, import.meta.url));
await cp(fileURLToPath(new URL('../../packages/core/dist/', import.meta.url)), snapshot, { recursive: true });
process.env.BENCH_JOBS_CORE = path.join(snapshot, 'index.js');
process.on('exit', () => rmSync(snapshot, { recursive: true, force: true }));

/** @returns {Promise<{ jobsPerSecond: number, peakMiB: number }>} */
async function measure(
  /** @type {string} */ caseId,
  /** @type {string} */ shape,
  /** @type {number} */ warm,
  /** @type {number} */ timed,
) {
  // Every case starts on an empty database: trees the cases before it left behind (none of the
  // engines deletes a finished tree at once) would grow Redis's keyspace, and its rehashing, as
  // the bench goes on, slowing the cases that run later. The Redis is the bench's own throwaway.
  await benchRedis.flushdb();
  const script = fileURLToPath(new URL('./run-case.mjs', import.meta.url));
  const { stdout } = await run(process.execPath, [script, caseId, shape, String(warm), String(timed)], {
    maxBuffer: 1 << 20,
  });
  return JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}');
}

const benchRedis = new Redis(process.env.PAASMAKER_TEST_REDIS_URL ?? '');

const jobsPerSecond = (/** @type {number} */ value) => `${Math.round(value)} jobs/s`;
say(
  `bench:jobs — ${new Date().toISOString()} — Node ${process.version}, worker concurrency 16, one process per case and round`,
);
say(
  `shapes: ${rounds} interleaved rounds, each case ${warmUps} warm-ups + median of ${timedRuns} timed runs per round; figures are medians over the rounds, ratios medians of per-round ratios`,
);
say(`load average at start (1, 5, 15 min): ${load()} on ${(await import('node:os')).cpus().length} cores`);
say('');
const header = `${'shape'.padEnd(32)}${cases.map((c) => c.title.padStart(19)).join('')}  Redis/BullMQ  Redis/minimal  SQLite/Redis`;
say(header);
const vsBullmq = [];
const vsMinimal = [];
for (const [index, shape] of shapes.entries()) {
  /** @type {{ jobsPerSecond: number, peakMiB: number }[][]} */
  const perRound = [];
  for (let round = 0; round < rounds; round++) {
    /** @type {{ jobsPerSecond: number, peakMiB: number }[]} */
    const results = new Array(cases.length);
    for (let k = 0; k < cases.length; k++) {
      const at = (k + round) % cases.length;
      results[at] = await measure(
        /** @type {{ id: string }} */ (cases[at]).id,
        String(index),
        warmUps,
        timedRuns,
      );
    }
    perRound.push(results);
  }
  const rate = (/** @type {number} */ at) =>
    perRound.map((results) => results[at]?.jobsPerSecond ?? Number.NaN);
  const ratio = (/** @type {number} */ a, /** @type {number} */ b) =>
    median(
      perRound.map(
        (results) => (results[a]?.jobsPerSecond ?? Number.NaN) / (results[b]?.jobsPerSecond ?? Number.NaN),
      ),
    );
  const [redisBullmq, redisMinimal, sqliteRedis] = [ratio(0, 2), ratio(0, 3), ratio(1, 0)];
  vsBullmq.push(redisBullmq);
  vsMinimal.push(redisMinimal);
  say(
    `${`${shape.name} (${shape.jobs} jobs)`.padEnd(32)}${cases.map((_, at) => jobsPerSecond(median(rate(at))).padStart(19)).join('')}  ${redisBullmq.toFixed(2).padStart(12)}  ${redisMinimal.toFixed(2).padStart(13)}  ${sqliteRedis.toFixed(2).padStart(12)}`,
  );
  say(
    `${'  peak RSS'.padEnd(32)}${cases.map((_, at) => `${Math.round(Math.max(...perRound.map((results) => results[at]?.peakMiB ?? 0)))} MiB`.padStart(19)).join('')}`,
  );
  say(
    `${'  per-round Redis/BullMQ'.padEnd(32)}${perRound.map((results) => ((results[0]?.jobsPerSecond ?? 0) / (results[2]?.jobsPerSecond ?? 1)).toFixed(2)).join(' ')}`,
  );
}
say(`load average after the shapes: ${load()}`);
say('');
say(
  'scaling: 1 root + N leaves, one process per case and size, one timed run (after one warm-up below 100,000)',
);
say(`${'jobs'.padEnd(32)}${scalingCases.map((c) => c.title.padStart(19)).join('')}`);
for (const size of sizes) {
  /** @type {string[]} */
  const rates = [];
  /** @type {string[]} */
  const memory = [];
  for (const benchCase of scalingCases) {
    try {
      const result = await measure(benchCase.id, `wide:${size}`, size < 100_000 ? 1 : 0, 1);
      rates.push(jobsPerSecond(result.jobsPerSecond));
      memory.push(`${Math.round(result.peakMiB)} MiB`);
    } catch (error) {
      process.stderr.write(`${benchCase.id} at ${size} jobs failed: ${String(error)}\n`);
      rates.push('failed');
      memory.push('-');
    }
  }
  say(`${size.toLocaleString('en').padEnd(32)}${rates.map((r) => r.padStart(19)).join('')}`);
  say(`${'  peak RSS'.padEnd(32)}${memory.map((m) => m.padStart(19)).join('')}`);
}
say(`load average at the end: ${load()}`);
say('');
say(
  `bench:jobs min-ratio-vs-bullmq=${Math.min(...vsBullmq).toFixed(2)} min-ratio-vs-minimal=${Math.min(...vsMinimal).toFixed(2)}`,
);
const resultsDir = fileURLToPath(new URL('../results/', import.meta.url));
await mkdir(resultsDir, { recursive: true });
await writeFile(path.join(resultsDir, 'jobs.txt'), `${lines.join('\n')}\n`);
await rm(snapshot, { recursive: true, force: true });
await benchRedis.quit();
