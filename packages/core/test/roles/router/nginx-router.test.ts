import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  RedisRouterStatsStore,
  type RouterStatsKind,
  RoutingTable,
  readRouterStatsSeries,
} from '../../../src/roles/router/index';
import { type NginxRouterRig, startNginxRouterRig } from './nginx-router-rig';
import { type Backend, type Reply, routeTo, send, startBackend } from './router-fixture';

/** Sends until `check` passes: the router reads a new table within its refresh interval (0.2 s here). */
async function eventually(request: () => Promise<Reply>, check: (reply: Reply) => boolean): Promise<Reply> {
  const started = Date.now();
  for (;;) {
    const reply = await request();
    if (check(reply) || Date.now() - started > 5_000) return reply;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

// How the nginx router routes is the shared suite's (nginx-router-behaviour.test.ts); here what it
// adds to Redis.
describe('the nginx router, on real nginx + Lua and Redis', () => {
  let rig: NginxRouterRig;
  let table: RoutingTable;
  const backends: Backend[] = [];
  const backend = async (name: string) => {
    const started = await startBackend(name);
    backends.push(started);
    return started;
  };
  const get = (host: string | null, pathname = '/') => send(rig, { host, path: pathname });

  beforeAll(async () => {
    table = new RoutingTable();
    rig = await startNginxRouterRig(table);
  });
  afterAll(async () => {
    process.stdout.write((await rig?.errorLog()) ?? '');
    await rig?.close();
    for (const started of backends) await started.close();
  });

  it('adds request counts to Redis per version type, node and instance, in batches', async () => {
    const counted = await backend('counted');
    table.add('stats.test', routeTo('counted-1', counted.port, 'vt-stats', 'node-stats'));
    await eventually(
      () => get('stats.test'),
      (r) => r.status === 200,
    );
    // One request reached the instance above; twenty more now.
    for (let i = 0; i < 20; i += 1) await get('stats.test');
    const store = new RedisRouterStatsStore({ redis: rig.redis, prefix: rig.prefix });
    const totals = async (kind: RouterStatsKind, key: string) =>
      (await readRouterStatsSeries(store, kind, [key], 5)).totals;
    const started = Date.now();
    let stats = await totals('instance', 'counted-1');
    while (Date.now() - started < 5_000) {
      stats = await totals('instance', 'counted-1');
      if (stats.requests >= 21) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(stats.requests).toBe(21);
    expect(stats['2xx']).toBe(stats.requests);
    expect(stats.timeCount).toBe(stats.requests);
    expect(stats.bytes).toBeGreaterThan(0);
    expect((await totals('versionType', 'vt-stats')).requests).toBe(stats.requests);
    expect((await totals('node', 'node-stats')).requests).toBe(stats.requests);
  });
});
