import { addCounters, emptyCounters, type RouterStatCounters } from './router-stat-counters';
import {
  minuteOf,
  ROUTER_STATS_RETENTION_MINUTES,
  type RouterStatsKind,
  type RouterStatsStore,
} from './router-stats-store';

/** One minute of a {@link RouterStatsSeries}: its counters, and when it starts. */
export type RouterStatsPoint = RouterStatCounters & {
  /** The minute's start (ISO 8601). */
  at: string;
};

/** Per-minute counters over the last minutes, every minute present (zeros where nothing was counted), and their sums. */
export interface RouterStatsSeries {
  /** How many minutes the series covers, the current one included. */
  minutes: number;
  /** Start of the first minute (ISO 8601). */
  from: string;
  /** End of the last (current, still counting) minute (ISO 8601). */
  to: string;
  /** The sums over the series. */
  totals: RouterStatCounters;
  /** One point per minute, oldest first. */
  series: RouterStatsPoint[];
}

/**
 * The last `minutes` minutes (at most the retention) of `keys` of `kind` in `store`, summed
 * across the keys: a dense series ready to chart, and its totals.
 */
export async function readRouterStatsSeries(
  store: RouterStatsStore,
  kind: RouterStatsKind,
  keys: readonly string[],
  minutes: number,
  nowMs = Date.now(),
): Promise<RouterStatsSeries> {
  const span = Math.min(Math.max(1, Math.floor(minutes)), ROUTER_STATS_RETENTION_MINUTES);
  const to = minuteOf(nowMs);
  const from = to - span + 1;
  const found = await store.read({ kind, keys, from, to });
  const totals = emptyCounters();
  const series: RouterStatsPoint[] = [];
  for (let minute = from; minute <= to; minute += 1) {
    const counters = found.get(minute) ?? emptyCounters();
    addCounters(totals, counters);
    series.push({ at: new Date(minute * 60_000).toISOString(), ...counters });
  }
  return {
    minutes: span,
    from: new Date(from * 60_000).toISOString(),
    to: new Date((to + 1) * 60_000).toISOString(),
    totals,
    series,
  };
}
