/** One backend a hostname routes to: an instance listening on `host:port`. */
export interface Route {
  /** The instance's UUID; entries carry it so a reused port is never mistaken for another instance. */
  instanceId: string;
  /** Address the router connects to (an IP or a resolvable name). */
  host: string;
  /** TCP port the instance listens on. */
  port: number;
  /** Stats key of the version's instance type (the original's version type id). */
  versionTypeKey: string;
  /** UUID of the node the instance runs on (stats key). */
  nodeId: string;
}

/**
 * What {@link RoutingTable.lookup} found for a `Host` header.
 *
 * - `known: false` — no table entry matched: the router answers 404.
 * - `known: true, routes: []` — the hostname is in the table but has no instances: 503.
 * - `known: true, routes: [...]` — pick one at random.
 */
export interface RouteLookup {
  /** The `Host` header lower-cased with any `:port` removed. */
  hostname: string;
  /** The table key that matched (`hostname` itself or `*.<parent>`), or `null` when none did. */
  matched: string | null;
  /** Whether any table key matched, even one with no instances. */
  known: boolean;
  /** The matched key's routes (a copy), in no particular order. */
  routes: Route[];
}
