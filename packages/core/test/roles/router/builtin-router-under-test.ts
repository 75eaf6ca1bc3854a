import { RoutingTable, startRouter } from '../../../src/roles/router/index';
import type { RouterStats } from '../../../src/roles/router/router-stats';
import { noCounts, type RouterUnderTest, type StatsKeyUnderTest } from './router-under-test';

function countsOf(stats: RouterStats, key: StatsKeyUnderTest) {
  if (key === 'uncaught') return stats.uncaught;
  if ('instance' in key) return stats.instances[key.instance];
  if ('versionType' in key) return stats.versionTypes[key.versionType];
  return stats.nodes[key.node];
}

/** The built-in Node router over `table`, as the behaviour suite drives it. */
export async function startBuiltinRouterUnderTest(table = new RoutingTable()): Promise<RouterUnderTest> {
  const router = await startRouter({ table });
  return {
    port: router.port,
    differences: { dropsConnectionNamedHeaders: true, fullDuplexBodies: true, countsBodyBytesOnly: true },
    settled: async () => undefined,
    async counts(key) {
      const found = countsOf(router.stats(), key);
      return { ...noCounts(), ...(found ? { ...found } : {}) };
    },
    close: () => router.close(),
  };
}
