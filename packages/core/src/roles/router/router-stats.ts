import type { Route } from './route';

/** Counters kept for one stats key (a version's instance type, a node, an instance, or `uncaught`). */
export interface RouterStatCounters {
  /** Requests answered (a websocket upgrade counts once). */
  requests: number;
  /** Response body bytes sent to clients (for websockets: bytes from the backend). */
  bytes: number;
  /** Total milliseconds from request arrival to the end of the response (websockets: to the backend's 101). */
  time: number;
  /** How many requests `time` sums over; `time / timeCount` is the average. */
  timeCount: number;
  /** Responses by status class. */
  '1xx': number;
  '2xx': number;
  '3xx': number;
  '4xx': number;
  '5xx': number;
}

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

/** One finished request, as the proxy reports it. */
export interface RouterRequestRecord {
  /** The instance that answered (or last failed), `null` when none was picked. */
  route: Route | null;
  status: number;
  bytes: number;
  /** Milliseconds, or `null` when not measured (uncaught requests). */
  timeMs: number | null;
}

function emptyCounters(): RouterStatCounters {
  return { requests: 0, bytes: 0, time: 0, timeCount: 0, '1xx': 0, '2xx': 0, '3xx': 0, '4xx': 0, '5xx': 0 };
}

type StatusClass = '1xx' | '2xx' | '3xx' | '4xx' | '5xx';

function statusClass(status: number): StatusClass | null {
  const digit = Math.floor(status / 100);
  return digit >= 1 && digit <= 5 ? (`${digit}xx` as StatusClass) : null;
}

/** In-memory aggregation of request counters; a request costs a few additions, no I/O. */
export class RouterStatsCollector {
  readonly #versionTypes = new Map<string, RouterStatCounters>();
  readonly #nodes = new Map<string, RouterStatCounters>();
  readonly #instances = new Map<string, RouterStatCounters>();
  readonly #uncaught = emptyCounters();

  /** Adds one finished request to every key it belongs to. */
  record(entry: RouterRequestRecord): void {
    if (!entry.route) {
      add(this.#uncaught, entry);
      return;
    }
    add(counters(this.#versionTypes, entry.route.versionTypeKey), entry);
    add(counters(this.#nodes, entry.route.nodeId), entry);
    add(counters(this.#instances, entry.route.instanceId), entry);
  }

  /** A deep copy of the counters, safe to keep or serialise. */
  snapshot(): RouterStats {
    return {
      asAt: new Date().toISOString(),
      versionTypes: plain(this.#versionTypes),
      nodes: plain(this.#nodes),
      instances: plain(this.#instances),
      uncaught: { ...this.#uncaught },
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

function add(target: RouterStatCounters, entry: RouterRequestRecord): void {
  target.requests += 1;
  target.bytes += entry.bytes;
  if (entry.timeMs !== null) {
    target.time += entry.timeMs;
    target.timeCount += 1;
  }
  const cls = statusClass(entry.status);
  if (cls) target[cls] += 1;
}

function plain(map: Map<string, RouterStatCounters>): Record<string, RouterStatCounters> {
  const out: Record<string, RouterStatCounters> = {};
  for (const [key, value] of map) out[key] = { ...value };
  return out;
}
