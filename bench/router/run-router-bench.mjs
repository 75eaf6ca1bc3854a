// @ts-check
// The built-in router against its peers on loopback, measured with wrk (`apt-get install wrk`):
// straight to the backend, the built-in router, a static nginx `proxy_pass` (keep-alive upstream,
// one worker) and `http-proxy` with a keep-alive agent. `npm run bench:router` runs it under the
// test servers' nginx (by hand: `node tools/test-servers/src/run-with-servers.mjs --servers nginx
// -- node bench/router/run-router-bench.mjs [seconds] [connections] [rounds]`). The backend is an
// nginx answering "hello world" itself, so it is never the bottleneck. The Node proxies run in
// this process, which does nothing else while wrk runs; their CPU comes from process.cpuUsage(),
// nginx's from /proc (master + worker). Rounds are interleaved (direct, router, nginx, http-proxy,
// direct, …), each starting one column later; every figure is a median over rounds and every ratio
// the median of per-round ratios, so a machine that gets busier mid-run favours no column. Short
// runs (3 s) and more rounds (7) keep compared columns within seconds of each other. The last
// line is a summary a script can read: `bench:router node/static=<x> node/http-proxy=<x> cpu-us=<n> …`.
import { mkdtemp, rm } from 'node:fs/promises';
import { Agent, createServer } from 'node:http';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { RoutingTable, startRouter } from '@paasmaker/core';
import { pickFreePort } from '@paasmaker/test-servers';
import httpProxy from 'http-proxy';
import { backendAndStaticProxy, processTreeCpuMicros } from './bench-nginx.mjs';
import { runWrk } from './wrk.mjs';

const seconds = Number(process.argv[2] ?? 3);
const connections = Number(process.argv[3] ?? 32);
const rounds = Number(process.argv[4] ?? 7);
const wrkThreads = 1;

/**
 * @typedef {{ rps: number, requests: number, p50: number, p99: number, errors: number, cpuUs: number | null }} Run
 * @typedef {{ name: string, port: number, cpuMicros: (() => number) | null, runs: Run[] }} Column
 */

/** One wrk run against `column`, with the CPU its proxy spent per request. */
async function measure(/** @type {Column} */ column, duration = seconds) {
  const cpuBefore = column.cpuMicros?.() ?? 0;
  const result = await runWrk({
    port: column.port,
    host: 'bench.test',
    connections,
    seconds: duration,
    latency: true,
  });
  const cpuUs = column.cpuMicros ? (column.cpuMicros() - cpuBefore) / Math.max(result.requests, 1) : null;
  // Let the closed connections' TIME_WAIT and the proxies' pools settle before the next column.
  await new Promise((resolve) => setTimeout(resolve, 250));
  return { ...result, cpuUs };
}

const inProcessCpu = () => {
  const usage = process.cpuUsage();
  return usage.user + usage.system;
};

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

const folder = await mkdtemp(path.join(tmpdir(), 'pm-router-bench-'));
const { backendPort, staticPort, staticProxy, stop: stopNginxes } = await backendAndStaticProxy(folder);
const proxyPort = await pickFreePort();

const table = new RoutingTable();
table.add('bench.test', {
  instanceId: 'bench',
  host: '127.0.0.1',
  port: backendPort,
  versionTypeKey: 'bench',
  nodeId: 'bench',
});
const router = await startRouter({ table, port: await pickFreePort() });

// http-proxy as its README sets it up for keep-alive upstreams, with X-Forwarded-* like the router.
const proxyAgent = new Agent({ keepAlive: true, maxSockets: 256 });
const proxy = httpProxy.createProxyServer({
  target: `http://127.0.0.1:${backendPort}`,
  agent: proxyAgent,
  xfwd: true,
});
proxy.on('error', (_error, _request, response) => {
  if ('writeHead' in response && !response.headersSent) response.writeHead(502);
  response.end();
});
const proxyServer = createServer((request, response) => proxy.web(request, response));
await new Promise((resolve) => proxyServer.listen(proxyPort, '127.0.0.1', () => resolve(undefined)));

/** @type {Column[]} */
const columns = [
  { name: 'direct', port: backendPort, cpuMicros: null, runs: [] },
  { name: 'built-in router', port: router.port, cpuMicros: inProcessCpu, runs: [] },
  {
    name: 'static nginx',
    port: staticPort,
    cpuMicros: () => processTreeCpuMicros(/** @type {number} */ (staticProxy.pid)),
    runs: [],
  },
  { name: 'http-proxy', port: proxyPort, cpuMicros: inProcessCpu, runs: [] },
];
const [direct, routed, staticNginx, httpProxyColumn] = /** @type {[Column, Column, Column, Column]} */ (
  columns
);
const loadBefore = load();
const warmUp = [];
for (const column of columns) warmUp.push(await measure(column, 2)); // JIT, pools
for (let round = 0; round < rounds; round += 1) {
  // Each round starts one column later, so no column always runs first (or right after nginx).
  for (let step = 0; step < columns.length; step += 1) {
    const column = /** @type {Column} */ (columns[(round + step) % columns.length]);
    column.runs.push(await measure(column));
  }
}
const loadAfter = load();
const routedRequests = [warmUp[1], ...routed.runs].reduce((sum, run) => sum + (run?.requests ?? 0), 0);
const routerCounted = router.stats().instances.bench?.requests ?? 0;

await router.close();
await new Promise((resolve) => proxyServer.close(() => resolve(undefined)));
proxyServer.closeAllConnections();
proxyAgent.destroy();
proxy.close();
await stopNginxes();
await rm(folder, { recursive: true, force: true });

/** Median over rounds of the ratio of two columns' req/s in the same round. */
const ratio = (/** @type {Column} */ a, /** @type {Column} */ b) =>
  median(a.runs.map((run, round) => run.rps / (b.runs[round]?.rps ?? Number.NaN))).toFixed(2);
/** Median over rounds of the ratio of two columns' CPU µs/request in the same round. */
const cpuRatio = (/** @type {Column} */ a, /** @type {Column} */ b) =>
  median(
    a.runs.map((run, round) => (run.cpuUs ?? Number.NaN) / (b.runs[round]?.cpuUs ?? Number.NaN)),
  ).toFixed(2);
/** Median of one figure over a column's rounds. */
const figure = (/** @type {Column} */ column, /** @type {(run: Run) => number} */ pick) =>
  median(column.runs.map(pick));
const cpuUs = (/** @type {Column} */ column) =>
  column.cpuMicros ? figure(column, (run) => run.cpuUs ?? Number.NaN) : null;

console.log(
  `wrk -t${wrkThreads} -c${connections} -d${seconds}s --latency, loopback, Node ${process.version}; ` +
    `backend: nginx (1 worker) answering "hello world"; ${rounds} interleaved rounds, medians`,
);
console.log(`load average before: ${loadBefore}; after: ${loadAfter}`);
console.log('column            req/s   p50 ms   p99 ms  proxy CPU µs/req  req/s per round');
for (const column of columns) {
  const cpu = cpuUs(column);
  const errors = column.runs.reduce((sum, run) => sum + run.errors, 0);
  console.log(
    column.name.padEnd(16) +
      String(Math.round(figure(column, (run) => run.rps))).padStart(7) +
      figure(column, (run) => run.p50)
        .toFixed(2)
        .padStart(9) +
      figure(column, (run) => run.p99)
        .toFixed(2)
        .padStart(9) +
      (cpu === null ? '-' : cpu.toFixed(1)).padStart(18) +
      `  ${column.runs.map((run) => Math.round(run.rps)).join(', ')}${errors ? ` (${errors} errors)` : ''}`,
  );
}
console.log(
  `ratios (median of per-round): router/static-nginx=${ratio(routed, staticNginx)} ` +
    `router/http-proxy=${ratio(routed, httpProxyColumn)} router/direct=${ratio(routed, direct)} ` +
    `static-nginx/direct=${ratio(staticNginx, direct)} http-proxy/static-nginx=${ratio(httpProxyColumn, staticNginx)}`,
);
console.log(
  `CPU per request (median of per-round): router/static-nginx=${cpuRatio(routed, staticNginx)} ` +
    `router/http-proxy=${cpuRatio(routed, httpProxyColumn)}`,
);
// wrk does not count the responses still in flight when it stops; the router does.
console.log(`router stats: ${routerCounted} requests counted, wrk completed ${routedRequests}`);
console.log(
  `bench:router node/static=${ratio(routed, staticNginx)} node/http-proxy=${ratio(routed, httpProxyColumn)} ` +
    `cpu-us=${cpuUs(routed)?.toFixed(0)} static-cpu-us=${cpuUs(staticNginx)?.toFixed(0)} ` +
    `http-proxy-cpu-us=${cpuUs(httpProxyColumn)?.toFixed(0)} cpu/http-proxy=${cpuRatio(routed, httpProxyColumn)} ` +
    `node/direct=${ratio(routed, direct)}`,
);
