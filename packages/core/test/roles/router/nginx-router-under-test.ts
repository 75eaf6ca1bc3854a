import {
  RedisRouterStatsStore,
  type RouterStatsKind,
  type RoutingTable,
  readRouterStatsSeries,
  UNCAUGHT_KEY,
} from '../../../src/roles/router/index';
import { startNginxRouterRig } from './nginx-router-rig';
import {
  type CountsUnderTest,
  noCounts,
  type RouterUnderTest,
  type StatsKeyUnderTest,
} from './router-under-test';

/** Where a key's counts are in the stats store. */
function kindAndKey(key: StatsKeyUnderTest): [RouterStatsKind, string] {
  if (key === 'uncaught') return ['uncaught', UNCAUGHT_KEY];
  if ('instance' in key) return ['instance', key.instance];
  if ('versionType' in key) return ['versionType', key.versionType];
  return ['node', key.node];
}

/** nginx with the Lua router over `table` ({@link startNginxRouterRig}), as the behaviour suite drives it. */
export async function startNginxRouterUnderTest(table: RoutingTable): Promise<RouterUnderTest> {
  const rig = await startNginxRouterRig(table);
  const stats = new RedisRouterStatsStore({ redis: rig.redis, prefix: rig.prefix });
  return {
    port: rig.port,
    differences: { dropsConnectionNamedHeaders: false, fullDuplexBodies: false, countsBodyBytesOnly: false },
    async settled() {
      await rig.publisher.confirm({ timeoutMs: 30_000 });
    },
    async counts(key): Promise<CountsUnderTest> {
      const [kind, id] = kindAndKey(key);
      // The last hour: a case's counts fall in the current minute or the one before.
      const { totals } = await readRouterStatsSeries(stats, kind, [id], 60);
      return { ...noCounts(), ...totals };
    },
    close: () => rig.close(),
  };
}
