import type { Route } from './route';
import { emptyCounters, type RouterStatCounters } from './router-stat-counters';
import { type RouterStatsBatch, UNCAUGHT_KEY } from './router-stats-store';

/**
 * A plain snapshot of a router's counters since it started (`router.stats()`).
 * `uncaught` holds requests no instance was picked for (400 no Host, 404 unknown host, 503 no
 * instances); requests to an instance, including a 502 when every instance failed, count under
 * the instance's version type, node and instance.
 */
export interface RouterStats {
  /** When the snapshot was taken (ISO 8601). */
  asAt: string;
  /** Per {@link Route.versionTypeKey}. */
  versionTypes: Record<string, RouterStatCounters>;
  /** Per {@link Route.nodeId}. */
  nodes: Record<string, RouterStatCounters>;
  /** Per {@link Route.instanceId}. */
  instances: Record<string, RouterStatCounters>;
  /** Requests that matched no instance. */
  uncaught: RouterStatCounters;
}

type StatusClass = '1xx' | '2xx' | '3xx' | '4xx' | '5xx';

/** Status class by the status code's first digit. */
const STATUS_CLASSES: readonly (StatusClass | undefined)[] = [undefined, '1xx', '2xx', '3xx', '4xx', '5xx'];

/** Counters per stats key, for each kind a request is counted under. */
class CounterSet {
  readonly versionType = new Map<string, RouterStatCounters>();
  readonly node = new Map<string, RouterStatCounters>();
  readonly instance = new Map<string, RouterStatCounters>();
  readonly uncaught = new Map<string, RouterStatCounters>();
  empty = true;
}

/**
 * In-memory aggregation of request counters; a request costs a few additions, no I/O. It keeps
 * the counters since start ({@link RouterStatsCollector.snapshot}) and those since the last
 * {@link RouterStatsCollector.take}, which the router adds to its stats store every second.
 */
export class RouterStatsCollector {
  readonly #total = new CounterSet();
  #pending = new CounterSet();

  /**
   * Adds one finished request to every key it belongs to: `route` is the instance that answered
   * (or last failed), `null` when none was picked; `timeMs` is `null` when not measured
   * (uncaught requests); `routerMade` when the router answered itself because no instance did
   * (a 502). Plain arguments, no record object: this runs once per request.
   */
  record(
    route: Route | null,
    status: number,
    bytes: number,
    timeMs: number | null,
    routerMade = false,
  ): void {
    const cls = STATUS_CLASSES[Math.floor(status / 100)];
    if (!route) {
      // Every uncaught answer is the router's own: 503 for a hostname without instances, else no route.
      const noBackend = status === 503;
      add(counters(this.#total.uncaught, UNCAUGHT_KEY), cls, bytes, timeMs, !noBackend, noBackend);
      add(counters(this.#pending.uncaught, UNCAUGHT_KEY), cls, bytes, timeMs, !noBackend, noBackend);
      this.#pending.empty = false;
      return;
    }
    addRouted(this.#total, route, cls, bytes, timeMs, routerMade);
    addRouted(this.#pending, route, cls, bytes, timeMs, routerMade);
    this.#pending.empty = false;
  }

  /** The counts since the last call (undefined when there were none), for a stats store. */
  take(): RouterStatsBatch | undefined {
    const taken = this.#pending;
    if (taken.empty) return undefined;
    this.#pending = new CounterSet();
    return taken;
  }

  /** A deep copy of the counters since start, safe to keep or serialise. */
  snapshot(): RouterStats {
    return {
      asAt: new Date().toISOString(),
      versionTypes: plain(this.#total.versionType),
      nodes: plain(this.#total.node),
      instances: plain(this.#total.instance),
      uncaught: { ...(this.#total.uncaught.get(UNCAUGHT_KEY) ?? emptyCounters()) },
    };
  }
}

function counters(map: Map<string, RouterStatCounters>, key: string): RouterStatCounters {
  let found = map.get(key);
  if (!found) {
    found = emptyCounters();
    map.set(key, found);
  }
  return found;
}

function addRouted(
  set: CounterSet,
  route: Route,
  cls: StatusClass | undefined,
  bytes: number,
  timeMs: number | null,
  routerMade: boolean,
): void {
  add(counters(set.versionType, route.versionTypeKey), cls, bytes, timeMs, false, routerMade);
  add(counters(set.node, route.nodeId), cls, bytes, timeMs, false, routerMade);
  add(counters(set.instance, route.instanceId), cls, bytes, timeMs, false, routerMade);
}

function add(
  target: RouterStatCounters,
  cls: StatusClass | undefined,
  bytes: number,
  timeMs: number | null,
  noRoute: boolean,
  noBackend: boolean,
): void {
  target.requests += 1;
  target.bytes += bytes;
  if (timeMs !== null) {
    target.time += timeMs;
    target.timeCount += 1;
  }
  if (cls) target[cls] += 1;
  if (noRoute) target.noRoute += 1;
  if (noBackend) target.noBackend += 1;
}

function plain(map: Map<string, RouterStatCounters>): Record<string, RouterStatCounters> {
  const out: Record<string, RouterStatCounters> = {};
  for (const [key, value] of map) out[key] = { ...value };
  return out;
}
