// @ts-check
// npm run bench:deploy — a whole one-machine PaaS in this process (pacemaker, heart, router on
// SQLite in a temp folder, composed like examples/bespoke-paas), deploying
// examples/apps/hello-node from a git repository (no dependency install):
// 1. time from `deploy` to the first 200 through the router, N runs on a fresh node each, with
//    the job tree's per-step breakdown of the median run (profile before optimising);
// 2. `make current` of a new version (deploy v2, v3, v4) under a steady keep-alive load through
//    the router, counting failed requests (non-200 or connection errors);
// 3. a real app (bench/deploy/real-app, ~7,700 dependency files from its lock file): first
//    deploy, a second version with the same lock file, the API's worst answer meanwhile, and
//    packFolder/unpackArchive against tar czf/xzf on its files (real-app-bench.mjs).
// As root the runs of 1. alternate with runs in single-tenant mode, to measure what isolation costs.
// Writes bench/results/deploy.txt; the last line is
// `bench:deploy first-200-ms=<n> first-200-single-tenant-ms=<n> failed-during-switch=<n>
//  real-app-first-200-s=<x> real-app-redeploy-s=<x> api-worst-ms=<n> pack-vs-tar=<x> unpack-vs-tar=<x>`.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { Agent } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createNode, parseNodeConfig } from '@paasmaker/core';
import nodeRuntime from '@paasmaker/plugin-runtime-node';
import gitScm from '@paasmaker/plugin-scm-git';
import { benchRealApp } from './real-app-bench.mjs';
import { routerGet } from './router-get.mjs';

const runs = 5;
const switches = 3;
const concurrency = 8;
const hostname = 'web.hello-node.default.paasmaker.localhost';
const exec = promisify(execFile);
const appSource = fileURLToPath(new URL('../../examples/apps/hello-node/', import.meta.url));
const resultsDir = fileURLToPath(new URL('../results/', import.meta.url));
const scratch = await mkdtemp(path.join(tmpdir(), 'paasmaker-bench-deploy-'));
// Tenant users (as root) pass through it to their folders in the data folders inside.
await chmod(scratch, 0o711);
// As root, every run is also done with isolation off, to measure what isolation costs.
const modes = process.getuid?.() === 0 ? ['single-tenant', 'per-application'] : ['single-tenant'];
/** The mode of the measured runs, the breakdown and the switch: the default one. */
const mainMode = modes[modes.length - 1];

/** @type {string[]} */
const lines = [];
const say = (/** @type {string} */ line) => {
  lines.push(line);
  process.stdout.write(`${line}\n`);
};
const sleep = (/** @type {number} */ ms) => new Promise((resolve) => setTimeout(resolve, ms));
const median = (/** @type {number[]} */ values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};

/** The composition of examples/bespoke-paas/src/bespoke-paas.ts, copied (it is TypeScript). */
async function startPaas(/** @type {string} */ dataFolder, mode = mainMode) {
  const token = () => randomBytes(24).toString('hex');
  const config = parseNodeConfig(
    JSON.stringify({
      name: 'bench',
      dataFolder,
      logLevel: 'warn',
      isolation: { mode },
      roles: {
        pacemaker: { superToken: token(), nodeToken: token(), api: { port: 0 } },
        heart: { stopInstancesOnClose: true },
        router: { port: 0 },
      },
    }),
  );
  const node = await createNode(config, {
    plugins: [
      nodeRuntime,
      { plugin: gitScm, options: { cacheDirectory: path.join(dataFolder, 'git-cache') } },
    ],
  });
  const { pacemaker, router } = node;
  if (!pacemaker || !router) throw new Error('the node runs no pacemaker or no router');
  const workspace = await pacemaker.model.workspaces.create({ name: 'Default', stub: 'default' });
  return { node, pacemaker, router, workspace };
}

const git = (/** @type {string} */ repo, /** @type {string[]} */ args) =>
  exec('git', ['-c', 'user.name=b', '-c', 'user.email=b@b', ...args], { cwd: repo });

/** A git repository holding a copy of hello-node, one commit on `main`. */
async function makeRepo(/** @type {string} */ folder) {
  await cp(appSource, folder, { recursive: true, filter: (source) => !source.includes('node_modules') });
  await git(folder, ['init', '-q', '-b', 'main']);
  await git(folder, ['add', '-A']);
  await git(folder, ['commit', '-q', '-m', 'v1']);
  return folder;
}

/** One GET through the router with hello-node's Host header. */
const get = (/** @type {number} */ port, /** @type {Agent} */ agent) => routerGet(port, hostname, agent);

const versionOf = (/** @type {string} */ body) => Number(/version (\d+)/.exec(body)?.[1] ?? Number.NaN);

/** The jobs of a finished tree as rows: offsets from t0 (epoch ms), depth-first order by start. */
function breakdown(/** @type {import('@paasmaker/core').TreeRecord} */ tree, /** @type {number} */ t0) {
  /** @type {Map<string, number>} */
  const depth = new Map();
  for (const job of tree.jobs) depth.set(job.id, job.parentId ? (depth.get(job.parentId) ?? 0) + 1 : 0);
  return [...tree.jobs]
    .sort((a, b) => (a.startedAt ?? 0) - (b.startedAt ?? 0))
    .map((job) => {
      const start = job.startedAt === undefined ? Number.NaN : job.startedAt - t0;
      const took =
        job.startedAt === undefined || job.finishedAt === undefined
          ? Number.NaN
          : job.finishedAt - job.startedAt;
      const step = job.type.replace(/^paasmaker\.job\./, '');
      return `  ${String(Math.round(start)).padStart(6)}  ${String(Math.round(took)).padStart(6)}  ${job.state.padEnd(7)}  ${`${'  '.repeat(Math.min(depth.get(job.id) ?? 0, 6))}${step}`.padEnd(40)}  ${job.title}`;
    });
}

say(
  `bench:deploy — ${new Date().toISOString()} — Node ${process.version}, examples/apps/hello-node from git`,
);
say('');

// 1. Deploy to first 200, on a fresh node (data folder, git cache) each run, in each mode.
/** @type {{ ms: number, tree: import('@paasmaker/core').TreeRecord, t0: number, treeMs: number }[]} */
const firstRuns = [];
/** @type {Map<string, number[]>} */
const firstByMode = new Map(modes.map((mode) => [mode, []]));
/** @type {Awaited<ReturnType<typeof startPaas>> | undefined} */
let kept;
let repo = '';
for (let run = 1; run <= runs; run += 1) {
  for (const mode of modes) {
    const dataFolder = path.join(scratch, `data-${run}-${mode}`);
    repo = await makeRepo(path.join(scratch, `repo-${run}-${mode}`));
    const paas = await startPaas(dataFolder, mode);
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const t0 = Date.now();
    const start = performance.now();
    const { treeId } = await paas.pacemaker.actions.deploy(paas.workspace.id, {
      scm: 'paasmaker.scm.git',
      parameters: { location: repo },
    });
    let ms = Number.NaN;
    const deadline = start + 60_000;
    while (performance.now() < deadline) {
      const answer = await get(paas.router.port, agent);
      if ('status' in answer && answer.status === 200) {
        ms = performance.now() - start;
        break;
      }
      await sleep(5);
    }
    const tree = await paas.pacemaker.jobs.waitForTree(treeId);
    const treeMs = Math.max(...tree.jobs.map((job) => job.finishedAt ?? 0)) - t0;
    agent.destroy();
    const rootState = tree.jobs[0]?.state;
    if (Number.isNaN(ms) || rootState !== 'SUCCESS')
      throw new Error(`run ${run} (${mode}): no 200 within 60 s or the deploy tree ended ${rootState}`);
    firstByMode.get(mode)?.push(ms);
    say(
      `run ${run} (${mode}): first 200 after ${Math.round(ms)} ms (deploy tree finished after ${Math.round(treeMs)} ms)`,
    );
    if (mode !== mainMode) {
      await paas.node.close();
      continue;
    }
    firstRuns.push({ ms, tree, t0, treeMs });
    if (run < runs) await paas.node.close();
    else kept = paas;
  }
}
const firstMs = firstRuns.map((run) => run.ms);
const firstMedian = median(firstMs);
say(
  `first 200: median ${Math.round(firstMedian)} ms, min ${Math.round(Math.min(...firstMs))} ms over ${runs} runs (${mainMode})`,
);
const sharedMedian = modes.length > 1 ? median(firstByMode.get('single-tenant') ?? []) : Number.NaN;
if (modes.length > 1)
  say(
    `isolation costs ${Math.round(firstMedian - sharedMedian)} ms: median ${Math.round(sharedMedian)} ms with single-tenant runs in the same session`,
  );
say('');
const medianRun = firstRuns.find((run) => run.ms === firstMedian) ?? firstRuns[0];
if (medianRun) {
  say(`where the time goes (median run; ms since deploy was called; depth shown by indent):`);
  say(`   start    took  state    step                                      title`);
  for (const row of breakdown(medianRun.tree, medianRun.t0)) say(row);
  say(`  first 200 seen at ${Math.round(medianRun.ms)} ms`);
}
say('');

// 2. Make current under load: deploy v2, v3, v4 while C keep-alive clients hammer the hostname.
if (!kept) throw new Error('no node kept for the switch');
const paas = kept;
let failedTotal = 0;
for (let index = 0; index < switches; index += 1) {
  const from = index + 1;
  const to = index + 2;
  await writeFile(path.join(repo, 'CHANGE.txt'), `version ${to}\n`);
  await git(repo, ['add', '-A']);
  await git(repo, ['commit', '-q', '-m', `v${to}`]);
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  let stop = false;
  let done = 0;
  let failed = 0;
  let backwards = 0;
  /** @type {Map<string, number>} */
  const reasons = new Map();
  /** @type {Map<number, number>} */
  const seen = new Map();
  const client = async () => {
    let last = 0;
    while (!stop) {
      const answer = await get(paas.router.port, agent);
      const reason = 'error' in answer ? answer.error : answer.status === 200 ? '' : `HTTP ${answer.status}`;
      if (reason || !('body' in answer)) {
        failed += 1;
        reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
        continue;
      }
      done += 1;
      const version = versionOf(answer.body);
      seen.set(version, (seen.get(version) ?? 0) + 1);
      if (version < last) backwards += 1;
      last = Math.max(last, version);
    }
  };
  const started = performance.now();
  const clients = Array.from({ length: concurrency }, client);
  await sleep(500);
  const switchStart = performance.now();
  const { treeId } = await paas.pacemaker.actions.deploy(paas.workspace.id, {
    scm: 'paasmaker.scm.git',
    parameters: { location: repo },
  });
  const tree = await paas.pacemaker.jobs.waitForTree(treeId);
  const switchMs = performance.now() - switchStart;
  await sleep(500);
  stop = true;
  await Promise.all(clients);
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  const after = await get(paas.router.port, new Agent());
  const afterVersion = 'body' in after ? versionOf(after.body) : Number.NaN;
  const rootState = tree.jobs[0]?.state;
  failedTotal += failed;
  const versions = [...seen.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([version, count]) => `v${version}×${count}`)
    .join(' ');
  say(
    `switch v${from}→v${to}: deploy tree ${rootState} in ${Math.round(switchMs)} ms; ${done + failed} requests in ${seconds.toFixed(1)} s (${Math.round((done + failed) / seconds)} req/s, C=${concurrency}), failed ${failed}; answers ${versions}; after: v${afterVersion}${backwards ? `; ${backwards} answers went back a version` : ''}`,
  );
  if (reasons.size) say(`  failures: ${[...reasons.entries()].map(([r, n]) => `${r}×${n}`).join(', ')}`);
  if (rootState !== 'SUCCESS' || afterVersion !== to || !seen.has(from) || !seen.has(to))
    throw new Error(`switch v${from}→v${to} did not move the answers from version ${from} to ${to}`);
}
say(`failed during switch: ${failedTotal} over ${switches} switches`);
say('');

// 3. A real app with thousands of dependency files, on the same node.
const real = await benchRealApp(paas, scratch, say, breakdown);
await paas.node.close();
await rm(scratch, { recursive: true, force: true });
say('');
say(
  `bench:deploy first-200-ms=${Math.round(firstMedian)} first-200-single-tenant-ms=${Math.round(sharedMedian)} failed-during-switch=${failedTotal} real-app-first-200-s=${real.firstS.toFixed(1)} real-app-redeploy-s=${real.redeployS.toFixed(1)} api-worst-ms=${Math.round(real.apiWorstMs)} pack-vs-tar=${real.packVsTar.toFixed(2)} unpack-vs-tar=${real.unpackVsTar.toFixed(2)}`,
);
await mkdir(resultsDir, { recursive: true });
await writeFile(path.join(resultsDir, 'deploy.txt'), `${lines.join('\n')}\n`);
