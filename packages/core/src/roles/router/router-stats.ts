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

function emptyCounters(): RouterStatCounters {
  return { requests: 0, bytes: 0, time: 0, timeCount: 0, '1xx': 0, '2xx': 0, '3xx': 0, '4xx': 0, '5xx': 0 };
}

type StatusClass = '1xx' | '2xx' | '3xx' | '4xx' | '5xx';

/** Status class by the status code's first digit. */
const STATUS_CLASSES: readonly (StatusClass | undefined)[] = [undefined, '1xx', '2xx', '3xx', '4xx', '5xx'];

/** In-memory aggregation of request counters; a request costs a few additions, no I/O. */
export class RouterStatsCollector {
  readonly #versionTypes = new Map<string, RouterStatCounters>();
  readonly #nodes = new Map<string, RouterStatCounters>();
  readonly #instances = new Map<string, RouterStatCounters>();
  readonly #uncaught = emptyCounters();

  /**
   * Adds one finished request to every key it belongs to: `route` is the instance that answered
   * (or last failed), `null` when none was picked; `timeMs` is `null` when not measured
   * (uncaught requests). Plain arguments, no record object: this runs once per request.
   */
  record(route: Route | null, status: number, bytes: number, timeMs: number | null): void {
    const cls = STATUS_CLASSES[Math.floor(status / 100)];
    if (!route) {
      add(this.#uncaught, cls, bytes, timeMs);
      return;
    }
    add(counters(this.#versionTypes, route.versionTypeKey), cls, bytes, timeMs);
    add(counters(this.#nodes, route.nodeId), cls, bytes, timeMs);
    add(counters(this.#instances, route.instanceId), cls, bytes, timeMs);
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

function add(
  target: RouterStatCounters,
  cls: StatusClass | undefined,
  bytes: number,
  timeMs: number | null,
): void {
  target.requests += 1;
  target.bytes += bytes;
  if (timeMs !== null) {
    target.time += timeMs;
    target.timeCount += 1;
  }
  if (cls) target[cls] += 1;
}

function plain(map: Map<string, RouterStatCounters>): Record<string, RouterStatCounters> {
  const out: Record<string, RouterStatCounters> = {};
  for (const [key, value] of map) out[key] = { ...value };
  return out;
}
