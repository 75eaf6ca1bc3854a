// @ts-check
// npm run bench:jobs — no-op job trees in three shapes on Paasmaker's Redis and SQLite job
// stores and as BullMQ flows on the same Redis, with the same worker concurrency. Each case runs
// in a process of its own (clean memory, no idle connections of the others); cases alternate per
// shape. Prints jobs/s and peak RSS per case and the ratios, and writes bench/results/jobs.txt.
import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { concurrencyNote, shapes } from './tree-shapes.mjs';

const run = promisify(execFile);
const cases = [
  { id: 'paasmaker-redis', title: 'Paasmaker Redis' },
  { id: 'paasmaker-sqlite', title: 'Paasmaker SQLite' },
  { id: 'bullmq', title: 'BullMQ flows' },
];
/** @type {string[]} */
const lines = [];
const say = (/** @type {string} */ line) => {
  lines.push(line);
  process.stdout.write(`${line}\n`);
};

/** @returns {Promise<{ jobsPerSecond: number, peakMiB: number }>} */
async function measure(/** @type {string} */ caseId, /** @type {number} */ shapeIndex) {
  const script = fileURLToPath(new URL('./run-case.mjs', import.meta.url));
  const { stdout } = await run(process.execPath, [script, caseId, String(shapeIndex)], {
    maxBuffer: 1 << 20,
  });
  return JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}');
}

say(`bench:jobs — ${new Date().toISOString()} — Node ${process.version}, ${concurrencyNote}`);
say('');
say(`${'shape'.padEnd(34)}${cases.map((c) => c.title.padStart(18)).join('')}  Redis/BullMQ  SQLite/Redis`);
const ratios = [];
for (const [index, shape] of shapes.entries()) {
  const results = [];
  for (const benchCase of cases) results.push(await measure(benchCase.id, index));
  const [redis, sqlite, bullmq] = results.map((result) => result.jobsPerSecond);
  if (redis === undefined || sqlite === undefined || bullmq === undefined)
    throw new Error('a case is missing');
  ratios.push(redis / bullmq);
  say(
    `${`${shape.name} (${shape.jobs} jobs)`.padEnd(34)}${results.map((r) => `${Math.round(r.jobsPerSecond)} jobs/s`.padStart(18)).join('')}  ${(redis / bullmq).toFixed(2).padStart(12)}  ${(sqlite / redis).toFixed(2).padStart(12)}`,
  );
  say(
    `${'  peak RSS'.padEnd(34)}${results.map((r) => `${Math.round(r.peakMiB)} MiB`.padStart(18)).join('')}`,
  );
}
say('');
say(`bench:jobs min-ratio-vs-bullmq=${Math.min(...ratios).toFixed(2)}`);
const resultsDir = fileURLToPath(new URL('../results/', import.meta.url));
await mkdir(resultsDir, { recursive: true });
await writeFile(path.join(resultsDir, 'jobs.txt'), `${lines.join('\n')}\n`);
