// @ts-check
// The nginx + Lua router against a static nginx `proxy_pass` to the same backend, and the router
// with a routing table of 100,000 hostnames against one of 10, measured with wrk
// (`apt-get install wrk`) on loopback. Run under the test servers' Redis and nginx:
// `npm run bench:nginx-router [seconds] [connections] [rounds]`. The backend is an nginx answering
// "hello world" itself, so it is never the bottleneck; every nginx has one worker. nginx CPU
// (master + worker, user + system) comes from /proc. Rounds are interleaved (static, router,
// router 100k, then the other way round), ratios are medians of per-round ratios, so a machine
// that gets busier mid-run favours no column. After the rounds it checks that the router's stats
// in Redis counted every answer wrk got. The last line is a summary a script can read:
// `bench:nginx-router ratio=<x> cpu-ratio=<x> hosts100k/hosts10=<x> …`.
// An experiment runs as one more column, interleaved with the others: `BENCH_NGINX_VARIANT=<module>`
// names a module whose default export `{ name, lua?(text), config?(text) }` rewrites another
// router's Lua and nginx.conf (10 hosts); the line `variant / router` compares it with the router.
// Several modules, comma-separated, make one column each.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import {
  publishRoutingTable,
  RedisRouterStatsStore,
  RoutingTable,
  readRouterStatsSeries,
  startNginxRouter,
} from '@paasmaker/core';
import { pickFreePort } from '@paasmaker/test-servers';
import { Redis } from 'ioredis';
import { backendAndStaticProxy, processTreeCpuMicros, quitOnExit } from './bench-nginx.mjs';
import { runWrk } from './wrk.mjs';

const seconds = Number(process.argv[2] ?? 3);
const connections = Number(process.argv[3] ?? 32);
const rounds = Number(process.argv[4] ?? 11);
const redisUrl = new URL(process.env.PAASMAKER_TEST_REDIS_URL ?? '');
const nginxBin = process.env.PAASMAKER_TEST_NGINX_BIN ?? 'nginx';
const modules = process.env.PAASMAKER_TEST_NGINX_MODULES_DIR ?? '/usr/lib/nginx/modules';
const host = 'bench.test';

/**
 * @typedef {{ rps: number, requests: number, errors: number, cpuUs: number }} Run
 * @typedef {{ name: string, port: number, pid: () => number, runs: Run[], answered: number }} Column
 */

/** One wrk run against `column`, with the CPU its nginx spent per request. */
async function measure(/** @type {Column} */ column, duration = seconds) {
  const cpuBefore = processTreeCpuMicros(column.pid());
  const result = await runWrk({ port: column.port, host: host, connections, seconds: duration });
  const cpuUs = (processTreeCpuMicros(column.pid()) - cpuBefore) / Math.max(result.requests, 1);
  column.answered += result.requests;
  // Let the closed connections settle before the next column.
  await new Promise((resolve) => setTimeout(resolve, 250));
  return { ...result, cpuUs };
}

/** @param {number[]} values */
const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const upper = sorted[middle] ?? Number.NaN;
  return sorted.length % 2 ? upper : ((sorted[middle - 1] ?? Number.NaN) + upper) / 2;
};
const load = () =>
  loadavg()
    .map((n) => n.toFixed(2))
    .join(' ');

/** A table of `size` hostnames, bench.test among them, every one routed to the backend. */
function benchTable(/** @type {number} */ size, /** @type {number} */ backendPort) {
  const table = new RoutingTable();
  const route = (/** @type {number} */ i) => ({
    instanceId: `instance-${i.toString(36).padStart(8, '0')}`,
    host: '127.0.0.1',
    port: backendPort,
    versionTypeKey: `app-${i % 500}/1/web`,
    nodeId: `node-${i % 20}`,
  });
  table.add(host, { ...route(0), instanceId: 'bench' });
  for (let i = 1; i < size; i += 1) table.add(`app-${i}.hosts.test`, route(i));
  return table;
}

const folder = await mkdtemp(path.join(tmpdir(), 'pm-nginx-bench-'));
const { backendPort, staticPort, staticProxy, stop: stopNginxes } = await backendAndStaticProxy(folder);
const redis = new Redis(redisUrl.toString());
const db = Number(redisUrl.pathname.slice(1) || 0);
const routers = [];
const publishers = [];
for (const size of [10, 100_000]) {
  const prefix = `pm:bench:${process.pid}:${size}:`;
  const port = await pickFreePort();
  const publisher = await publishRoutingTable({ table: benchTable(size, backendPort), redis, prefix });
  publishers.push(publisher);
  const router = await startNginxRouter({
    folder: path.join(folder, `router-${size}`),
    port,
    nginxBinary: nginxBin,
    modulesDirectory: modules,
    redis: { host: redisUrl.hostname, port: Number(redisUrl.port), db, prefix },
  });
  quitOnExit(() => router.pid);
  routers.push({ router, port, prefix, size });
  await publisher.confirm({ timeoutMs: 60_000 });
}
const [small, large] = routers;
if (!small || !large) throw new Error('routers did not start');
const variants = [];
for (const [index, modulePath] of (process.env.BENCH_NGINX_VARIANT ?? '')
  .split(',')
  .filter(Boolean)
  .entries())
  variants.push(await startVariant(modulePath, index));

/** A router of 10 hosts whose Lua and configuration the variant module rewrote, reloaded. */
async function startVariant(/** @type {string} */ modulePath, /** @type {number} */ index) {
  /** @type {{ name: string, lua?: (text: string) => string, config?: (text: string) => string }} */
  const change = (await import(path.resolve(modulePath))).default;
  const prefix = `pm:bench:${process.pid}:variant-${index}:`;
  const publisher = await publishRoutingTable({ table: benchTable(10, backendPort), redis, prefix });
  publishers.push(publisher);
  const routerFolder = path.join(folder, `router-variant-${index}`);
  const port = await pickFreePort();
  const router = await startNginxRouter({
    folder: routerFolder,
    port,
    nginxBinary: nginxBin,
    modulesDirectory: modules,
    redis: { host: redisUrl.hostname, port: Number(redisUrl.port), db, prefix },
  });
  quitOnExit(() => router.pid);
  for (const [file, rewrite] of /** @type {const} */ ([
    ['paasmaker_router.lua', change.lua],
    ['nginx.conf', change.config],
  ])) {
    if (!rewrite) continue;
    const at = path.join(routerFolder, file);
    await writeFile(at, rewrite(await readFile(at, 'utf8')));
  }
  process.kill(router.pid ?? 0, 'SIGHUP');
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  await publisher.confirm({ timeoutMs: 60_000 });
  routers.push({ router, port, prefix, size: 10 });
  return { name: `variant: ${change.name}`, port, router };
}

/** @type {Column[]} */
const columns = [
  { name: 'static proxy_pass', port: staticPort, pid: () => staticProxy.pid ?? 0, runs: [], answered: 0 },
  { name: 'router, 10 hosts', port: small.port, pid: () => small.router.pid ?? 0, runs: [], answered: 0 },
  { name: 'router, 100k hosts', port: large.port, pid: () => large.router.pid ?? 0, runs: [], answered: 0 },
];
for (const variant of variants)
  columns.push({
    name: variant.name,
    port: variant.port,
    pid: () => variant.router.pid ?? 0,
    runs: [],
    answered: 0,
  });
const [staticColumn, smallColumn, largeColumn] = /** @type {[Column, Column, Column]} */ (columns);
const loadBefore = load();
for (const column of columns) await measure(column, 2); // warm-up: JIT, keep-alive pools
for (let round = 0; round < rounds; round += 1) {
  for (const column of round % 2 ? [...columns].reverse() : columns) column.runs.push(await measure(column));
}
const loadAfter = load();

// Every answer wrk got is counted once the workers flushed (every second).
await new Promise((resolve) => setTimeout(resolve, 2_500));
const counted = async (/** @type {string} */ prefix) =>
  (await readRouterStatsSeries(new RedisRouterStatsStore({ redis, prefix }), 'instance', ['bench'], 60))
    .totals.requests;
const countedSmall = await counted(small.prefix);
const countedLarge = await counted(large.prefix);

for (const { router } of routers) await router.close();
for (const publisher of publishers) await publisher.close();
for (const { prefix } of routers) {
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
}
await redis.quit();
await stopNginxes();
await rm(folder, { recursive: true, force: true });

/** Median over rounds of `a`'s figure over `b`'s in the same round. */
const ratio = (
  /** @type {Column} */ a,
  /** @type {Column} */ b,
  /** @type {(run: Run) => number} */ pick = (run) => run.rps,
) => median(a.runs.map((run, round) => pick(run) / pick(b.runs[round] ?? run)));

console.log(
  `wrk -t1 -c${connections} -d${seconds}s, loopback, one nginx worker each, backend: nginx answering "hello world"; ` +
    `${rounds} interleaved rounds, medians; nginx CPU = master + worker, user + system, from /proc`,
);
console.log(`load average before: ${loadBefore}; after: ${loadAfter}`);
console.log('column               req/s  nginx CPU µs/req  req/s per round');
for (const column of columns) {
  const errors = column.runs.reduce((sum, run) => sum + run.errors, 0);
  console.log(
    column.name.padEnd(18) +
      String(Math.round(median(column.runs.map((run) => run.rps)))).padStart(8) +
      median(column.runs.map((run) => run.cpuUs))
        .toFixed(1)
        .padStart(18) +
      `  ${column.runs.map((run) => Math.round(run.rps)).join(', ')}${errors ? ` (${errors} errors)` : ' (0 errors)'}`,
  );
}
const rpsRatio = ratio(smallColumn, staticColumn);
const cpuRatio = ratio(smallColumn, staticColumn, (run) => run.cpuUs);
const hostsRatio = ratio(largeColumn, smallColumn);
const hostsCpuRatio = ratio(largeColumn, smallColumn, (run) => run.cpuUs);
console.log(
  `router / static: req/s ${rpsRatio.toFixed(3)}, CPU per request ${cpuRatio.toFixed(3)} (per round: ${smallColumn.runs
    .map((run, round) => (run.rps / (staticColumn.runs[round]?.rps ?? run.rps)).toFixed(2))
    .join(', ')})`,
);
console.log(
  `100k hosts / 10 hosts: req/s ${hostsRatio.toFixed(3)}, CPU per request ${hostsCpuRatio.toFixed(3)} (per round: ${largeColumn.runs
    .map((run, round) => (run.rps / (smallColumn.runs[round]?.rps ?? run.rps)).toFixed(2))
    .join(', ')})`,
);
for (const variantColumn of columns.slice(3))
  console.log(
    `${variantColumn.name} / router, 10 hosts: req/s ${ratio(variantColumn, smallColumn).toFixed(3)}, CPU per request ${ratio(
      variantColumn,
      smallColumn,
      (run) => run.cpuUs,
    ).toFixed(3)} (per round: ${variantColumn.runs
      .map((run, round) => (run.rps / (smallColumn.runs[round]?.rps ?? run.rps)).toFixed(2))
      .join(', ')})`,
  );
console.log(
  `stats counted / answers wrk got: 10 hosts ${countedSmall} / ${smallColumn.answered}, 100k hosts ${countedLarge} / ${largeColumn.answered}` +
    ' (nginx also counts the requests wrk cut off when it stops)',
);
console.log(
  `bench:nginx-router ratio=${rpsRatio.toFixed(3)} cpu-ratio=${cpuRatio.toFixed(3)} hosts100k/hosts10=${hostsRatio.toFixed(3)} ` +
    `static-cpu-us=${median(staticColumn.runs.map((run) => run.cpuUs)).toFixed(1)} router-cpu-us=${median(smallColumn.runs.map((run) => run.cpuUs)).toFixed(1)}`,
);
