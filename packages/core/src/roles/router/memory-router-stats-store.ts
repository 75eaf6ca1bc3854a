import { addCounters, emptyCounters, type RouterStatCounters } from './router-stat-counters';
import {
  ROUTER_STATS_RETENTION_MINUTES,
  type RouterStatsBatch,
  type RouterStatsKind,
  type RouterStatsQuery,
  type RouterStatsStore,
} from './router-stats-store';

type Minute = Record<RouterStatsKind, Map<string, RouterStatCounters>>;

/**
 * Router stats in this process's memory: the embedded layout, where the built-in router runs
 * beside the pacemaker. Minutes older than the retention are dropped as new ones are added, so
 * it holds at most a day of minutes of the keys that had traffic.
 */
export class MemoryRouterStatsStore implements RouterStatsStore {
  readonly #minutes = new Map<number, Minute>();

  async add(minute: number, batch: RouterStatsBatch): Promise<void> {
    let held = this.#minutes.get(minute);
    if (!held) {
      held = { versionType: new Map(), node: new Map(), instance: new Map(), uncaught: new Map() };
      this.#minutes.set(minute, held);
      for (const old of this.#minutes.keys())
        if (old <= minute - ROUTER_STATS_RETENTION_MINUTES) this.#minutes.delete(old);
    }
    for (const kind of Object.keys(held) as RouterStatsKind[]) {
      for (const [key, counters] of batch[kind]) {
        let into = held[kind].get(key);
        if (!into) {
          into = emptyCounters();
          held[kind].set(key, into);
        }
        addCounters(into, counters);
      }
    }
  }

  async read({ kind, keys, from, to }: RouterStatsQuery): Promise<Map<number, RouterStatCounters>> {
    const found = new Map<number, RouterStatCounters>();
    for (const [minute, held] of this.#minutes) {
      if (minute < from || minute > to) continue;
      for (const key of keys) {
        const counters = held[kind].get(key);
        if (!counters) continue;
        let sum = found.get(minute);
        if (!sum) {
          sum = emptyCounters();
          found.set(minute, sum);
        }
        addCounters(sum, counters);
      }
    }
    return found;
  }

  async close(): Promise<void> {
    this.#minutes.clear();
  }
}
