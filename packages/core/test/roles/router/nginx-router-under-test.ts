import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { nginxSettings, redisUrl } from '@paasmaker/test-servers';
import { Redis } from 'ioredis';
import { freePort } from '../../../src/node/free-port';
import {
  publishRoutingTable,
  RedisRouterStatsStore,
  type RouterStatsKind,
  type RoutingTable,
  readRouterStatsSeries,
  startNginxRouter,
  UNCAUGHT_KEY,
} from '../../../src/roles/router/index';
import {
  type CountsUnderTest,
  noCounts,
  type RouterUnderTest,
  type StatsKeyUnderTest,
} from './router-under-test';

let started = 0;

/** Where a key's counts are in the stats store. */
function kindAndKey(key: StatsKeyUnderTest): [RouterStatsKind, string] {
  if (key === 'uncaught') return ['uncaught', UNCAUGHT_KEY];
  if ('instance' in key) return ['instance', key.instance];
  if ('versionType' in key) return ['versionType', key.versionType];
  return ['node', key.node];
}

/**
 * nginx with the Lua router, reading `table` through a publisher to the test Redis under a
 * prefix of its own, as the behaviour suite drives it. Needs `--servers redis,nginx`.
 */
export async function startNginxRouterUnderTest(table: RoutingTable): Promise<RouterUnderTest> {
  started += 1;
  const prefix = `pm:router:suite-${process.pid}-${started}:`;
  const folder = await mkdtemp(path.join(tmpdir(), 'pm-nginx-suite-'));
  const redis = new Redis(redisUrl());
  const stats = new RedisRouterStatsStore({ redis, prefix });
  const publisher = await publishRoutingTable({ table, redis, prefix, checkMs: 100 });
  const { hostname, port: redisPort } = new URL(redisUrl());
  const port = await freePort('127.0.0.1');
  const { bin, modulesDir } = nginxSettings();
  const router = await startNginxRouter({
    folder,
    port,
    nginxBinary: bin,
    modulesDirectory: modulesDir,
    redis: { host: hostname, port: Number(redisPort), prefix },
    refreshSeconds: 0.1,
  });
  return {
    port,
    differences: { dropsConnectionNamedHeaders: false, fullDuplexBodies: false, countsBodyBytesOnly: false },
    async settled() {
      await publisher.confirm({ timeoutMs: 30_000 });
    },
    async counts(key): Promise<CountsUnderTest> {
      const [kind, id] = kindAndKey(key);
      // The last hour: a case's counts fall in the current minute or the one before.
      const { totals } = await readRouterStatsSeries(stats, kind, [id], 60);
      return { ...noCounts(), ...totals };
    },
    async close() {
      await router.close();
      await publisher.close();
      await redis.quit();
      await rm(folder, { recursive: true, force: true });
    },
  };
}
