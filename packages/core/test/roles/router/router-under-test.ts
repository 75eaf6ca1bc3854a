import type { RoutingTable } from '../../../src/roles/router/index';

/** The counters the suite reads from a router's stats. */
export interface CountsUnderTest {
  requests: number;
  bytes: number;
  '1xx': number;
  '2xx': number;
  '3xx': number;
  '4xx': number;
  '5xx': number;
}

/** One stats key: an instance, a version's instance type, a node, or the requests no instance was picked for. */
export type StatsKeyUnderTest =
  | { instance: string }
  | { versionType: string }
  | { node: string }
  | 'uncaught';

/**
 * Where the two routers honestly differ. Each case that meets a difference asserts what the
 * router under test does, so a change on either side shows up as a failure, never as a skip.
 */
export interface RouterDifferences {
  /**
   * Whether headers a `Connection` header names are dropped both ways (RFC 9110 §7.6.1): the
   * built-in router does; nginx drops only the fixed hop-by-hop set and passes the named ones on.
   */
  dropsConnectionNamedHeaders: boolean;
  /**
   * Whether an answer streams back while the request body is still being sent, whatever the
   * size (an echo of a 20 MB upload): the built-in router does; nginx stops passing the request
   * body on once it passes the answer on, so only what the socket buffers held by then arrives.
   */
  fullDuplexBodies: boolean;
  /** Whether `bytes` counts the response body only (built-in), or everything sent, headers included (nginx's `$bytes_sent`). */
  countsBodyBytesOnly: boolean;
}

/** A running router the behaviour suite drives: it routes by the table it was started over. */
export interface RouterUnderTest {
  readonly port: number;
  readonly differences: RouterDifferences;
  /** Resolves once the router serves its table as it is now (nginx: every worker confirmed the serial). */
  settled(): Promise<void>;
  /** The router's counters for one key now, zeroes when it has none (nginx adds its own to Redis every second). */
  counts(key: StatsKeyUnderTest): Promise<CountsUnderTest>;
  close(): Promise<void>;
}

/** Starts a router under test over `table`. */
export type StartRouterUnderTest = (table: RoutingTable) => Promise<RouterUnderTest>;

/** Counters with every field zero. */
export function noCounts(): CountsUnderTest {
  return { requests: 0, bytes: 0, '1xx': 0, '2xx': 0, '3xx': 0, '4xx': 0, '5xx': 0 };
}
