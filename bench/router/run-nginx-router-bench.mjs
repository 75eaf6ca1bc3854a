// @ts-check
// Requests per second through the nginx + Lua router vs a static nginx `proxy_pass` to the same
// backend, measured with wrk (`apt-get install wrk`) on loopback. Run under the test servers'
// Redis and nginx: `npm run bench:nginx-router [seconds] [connections]`. The backend is an nginx
// answering "hello world" itself, so it is never the bottleneck. Each nginx has one worker. The
// last line is a summary a script can read:
// `bench:nginx-router static-rps=<n> lua-rps=<n> ratio=<n>`.
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { publishRoutingTable, RoutingTable, startNginxRouter } from '@paasmaker/core';
import { Redis } from 'ioredis';
import { helloBackend, plainNginx, staticProxyPass } from './bench-nginx.mjs';

const seconds = Number(process.argv[2] ?? 5);
const connections = Number(process.argv[3] ?? 32);
const redisUrl = new URL(process.env.PAASMAKER_TEST_REDIS_URL ?? '');
const nginxBin = process.env.PAASMAKER_TEST_NGINX_BIN ?? 'nginx';
const modules = process.env.PAASMAKER_TEST_NGINX_MODULES_DIR ?? '/usr/lib/nginx/modules';

/** @returns {Promise<number>} */
const freePort = () =>
  new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });

/** wrk's requests/s against `port` with Host bench.test. */
function wrk(/** @type {number} */ port) {
  const output = execFileSync(
    'wrk',
    ['-t2', `-c${connections}`, `-d${seconds}s`, '-H', 'Host: bench.test', `http://127.0.0.1:${port}/`],
    { encoding: 'utf8' },
  );
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(output)?.[1] ?? 0);
  const errors = /Non-2xx or 3xx responses: (\d+)/.exec(output)?.[1] ?? '0';
  return { rps: Math.round(rps), errors: Number(errors) };
}

const folder = await mkdtemp(path.join(tmpdir(), 'pm-nginx-bench-'));
const [backendPort, staticPort, luaPort] = [await freePort(), await freePort(), await freePort()];
const backend = await plainNginx(await mkdtemp(path.join(folder, 'backend-')), helloBackend(backendPort));
const staticProxy = await plainNginx(
  await mkdtemp(path.join(folder, 'static-')),
  staticProxyPass(staticPort, backendPort),
);
const redis = new Redis(redisUrl.toString());
const table = new RoutingTable();
table.add('bench.test', {
  instanceId: 'bench',
  host: '127.0.0.1',
  port: backendPort,
  versionTypeKey: 'bench',
  nodeId: 'bench',
});
const publisher = await publishRoutingTable({ table, redis, prefix: 'pm:bench:' });
const router = await startNginxRouter({
  folder: path.join(folder, 'lua-router'),
  port: luaPort,
  nginxBinary: nginxBin,
  modulesDirectory: modules,
  redis: { host: redisUrl.hostname, port: Number(redisUrl.port), prefix: 'pm:bench:' },
});
await new Promise((resolve) => setTimeout(resolve, 500));

wrk(staticPort); // warm-up
/** @type {{ static: { rps: number, errors: number }[], lua: { rps: number, errors: number }[] }} */
const results = { static: [], lua: [] };
for (let round = 0; round < 3; round += 1) {
  results.static.push(wrk(staticPort));
  results.lua.push(wrk(luaPort));
}
await router.close();
await publisher.close();
await redis.quit();
staticProxy.kill('SIGQUIT');
backend.kill('SIGQUIT');
await new Promise((resolve) => setTimeout(resolve, 300));
await rm(folder, { recursive: true, force: true });

/** @param {{ rps: number }[]} runs */
const median = (runs) => runs.map((run) => run.rps).sort((a, b) => a - b)[1] ?? 0;
const staticRps = median(results.static);
const luaRps = median(results.lua);
console.log(
  `wrk -t2 -c${connections} -d${seconds}s, loopback, one nginx worker each, median of 3 alternating rounds`,
);
console.log(
  `static proxy_pass: ${results.static.map((r) => r.rps).join(', ')} req/s (non-2xx: ${results.static.reduce((n, r) => n + r.errors, 0)})`,
);
console.log(
  `nginx + Lua router: ${results.lua.map((r) => r.rps).join(', ')} req/s (non-2xx: ${results.lua.reduce((n, r) => n + r.errors, 0)})`,
);
console.log(
  `bench:nginx-router static-rps=${staticRps} lua-rps=${luaRps} ratio=${(luaRps / staticRps).toFixed(2)}`,
);
