// @ts-check
// Where an nginx worker's time goes: `perf record` on the worker of the static `proxy_pass` and of
// the nginx + Lua router (10 hosts) while wrk loads each, then perf's flat profile of each, by
// shared object and symbol (LuaJIT's compiled traces have no symbol: they show as `[JIT]` or as
// unknown addresses). Run under the test servers' Redis and nginx:
// `npm run bench:nginx-router:profile [seconds]` (needs `perf`, `apt-get install linux-perf`).
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { publishRoutingTable, RoutingTable, startNginxRouter } from '@paasmaker/core';
import { pickFreePort } from '@paasmaker/test-servers';
import { Redis } from 'ioredis';
import { backendAndStaticProxy } from './bench-nginx.mjs';
import { runWrk } from './wrk.mjs';

const seconds = Number(process.argv[2] ?? 8);
const redisUrl = new URL(process.env.PAASMAKER_TEST_REDIS_URL ?? '');
const host = 'bench.test';

/**
 * Runs `command` to its end; rejects on a non-zero exit.
 * @returns {Promise<string>} its output
 */
function run(/** @type {string} */ command, /** @type {string[]} */ args) {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (chunk) => {
    output += chunk;
  });
  child.stderr.setEncoding('utf8').on('data', (chunk) => {
    output += chunk;
  });
  return new Promise((resolve, reject) =>
    child.on('close', (code) =>
      code === 0 ? resolve(output) : reject(new Error(`${command} exited ${code}:\n${output}`)),
    ),
  );
}

/** The one worker of the nginx master `pid`. */
async function workerOf(/** @type {number} */ pid) {
  const children = (await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8')).trim().split(' ');
  const worker = Number(children[0]);
  if (!worker) throw new Error(`nginx ${pid} has no worker`);
  return worker;
}

/** wrk on `port` while perf samples `pid`; perf's flat profile, lines of 0.5% or more. */
async function profile(/** @type {string} */ name, /** @type {number} */ port, /** @type {number} */ pid) {
  await runWrk({ port, host, connections: 32, seconds: 2 });
  const data = path.join(folder, `${name.replace(/\W+/g, '-')}.perf`);
  const [load] = await Promise.all([
    runWrk({ port, host, connections: 32, seconds }),
    run('perf', ['record', '-F', '4999', '-o', data, '-p', String(pid), '--', 'sleep', String(seconds - 1)]),
  ]);
  const report = async (/** @type {string} */ sort, /** @type {string} */ limit) =>
    (await run('perf', ['report', '-i', data, '--stdio', '--sort', sort, '--percent-limit', limit]))
      .split('\n')
      .filter((line) => line.trim() && !line.startsWith('#'))
      .join('\n');
  console.log(`\n== ${name}: ${Math.round(load.rps)} req/s under perf\n-- by shared object`);
  console.log(await report('dso', '0.1'));
  console.log('-- by symbol (0.5% or more)');
  console.log(await report('dso,symbol', '0.5'));
}

const folder = await mkdtemp(path.join(tmpdir(), 'pm-nginx-profile-'));
const { backendPort, staticPort, staticProxy, stop: stopNginxes } = await backendAndStaticProxy(folder);
const routerPort = await pickFreePort();
const redis = new Redis(redisUrl.toString());
const prefix = `pm:profile:${process.pid}:`;
const table = new RoutingTable();
table.add(host, {
  instanceId: 'bench',
  host: '127.0.0.1',
  port: backendPort,
  versionTypeKey: 'app/1/web',
  nodeId: 'node',
});
const publisher = await publishRoutingTable({ table, redis, prefix });
const router = await startNginxRouter({
  folder: path.join(folder, 'router'),
  port: routerPort,
  nginxBinary: process.env.PAASMAKER_TEST_NGINX_BIN ?? 'nginx',
  modulesDirectory: process.env.PAASMAKER_TEST_NGINX_MODULES_DIR ?? '/usr/lib/nginx/modules',
  redis: {
    host: redisUrl.hostname,
    port: Number(redisUrl.port),
    db: Number(redisUrl.pathname.slice(1) || 0),
    prefix,
  },
});
try {
  await publisher.confirm({ timeoutMs: 60_000 });
  await profile('static proxy_pass', staticPort, await workerOf(staticProxy.pid ?? 0));
  await profile('router, 10 hosts', routerPort, await workerOf(router.pid ?? 0));
} finally {
  await router.close();
  await publisher.close();
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
  await stopNginxes();
  await rm(folder, { recursive: true, force: true });
}
