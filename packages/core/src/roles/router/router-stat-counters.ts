/** Counters kept for one stats key (a version's instance type, a node, an instance, or `uncaught`). */
export interface RouterStatCounters {
  /** Requests answered (a websocket upgrade counts once). */
  requests: number;
  /** Response body bytes sent to clients (for websockets: bytes from the backend). */
  bytes: number;
  /** Total milliseconds from request arrival to the end of the response (websockets: to the backend's 101). */
  time: number;
  /** How many requests `time` sums over (uncaught requests are not timed); `time / timeCount` is the average. */
  timeCount: number;
  /** Responses by status class. */
  '1xx': number;
  '2xx': number;
  '3xx': number;
  '4xx': number;
  '5xx': number;
  /** Answers the router made because no hostname matched: 400 no Host, 404 unknown host, 500 no table yet. */
  noRoute: number;
  /** Answers the router made because no instance answered: 503 none routed, 502 every one refused or failed. */
  noBackend: number;
}

/** The names of {@link RouterStatCounters}, in the order the nginx router's Lua counts them. */
export const ROUTER_STAT_FIELDS = [
  'requests',
  'bytes',
  'time',
  'timeCount',
  '1xx',
  '2xx',
  '3xx',
  '4xx',
  '5xx',
  'noRoute',
  'noBackend',
] as const satisfies readonly (keyof RouterStatCounters)[];

/** All-zero counters. */
export function emptyCounters(): RouterStatCounters {
  return {
    requests: 0,
    bytes: 0,
    time: 0,
    timeCount: 0,
    '1xx': 0,
    '2xx': 0,
    '3xx': 0,
    '4xx': 0,
    '5xx': 0,
    noRoute: 0,
    noBackend: 0,
  };
}

/** Adds `source` into `target`, field by field. */
export function addCounters(target: RouterStatCounters, source: Readonly<RouterStatCounters>): void {
  for (const field of ROUTER_STAT_FIELDS) target[field] += source[field];
}
