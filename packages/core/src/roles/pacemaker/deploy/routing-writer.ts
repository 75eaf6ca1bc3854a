import type { Route } from '../../router/route';

/**
 * Where routing updates go: the embedded router's in-memory `RoutingTable`, or (in a cluster)
 * a shared table routers read.
 */
export interface RoutingTableWriter {
  add(hostname: string, route: Route): void;
  remove(hostname: string, instanceId: string): void;
  /** Forgets a hostname: requests for it get 404 (a hostname with no instances left gets 503). */
  removeHostname(hostname: string): void;
}

/**
 * Resolves once every router serves the routing table as it is now; rejects with
 * `E_ROUTER_UNCONFIRMED` when they do not in time (nginx routers: the publisher's `confirm()`;
 * the built-in router reads the table in memory, so it has nothing to wait for).
 */
export type RoutingConfirmation = (signal: AbortSignal) => Promise<void>;

/** Routes an instance on `yes` and takes it off `no` (add), or off `yes` (remove), as the original did. */
export function applyInstanceRouting(
  table: RoutingTableWriter,
  route: Route,
  hostnames: { yes: readonly string[]; no: readonly string[] },
  add: boolean,
): void {
  if (!add) {
    for (const hostname of hostnames.yes) table.remove(hostname, route.instanceId);
    return;
  }
  for (const hostname of hostnames.yes) table.add(hostname, route);
  for (const hostname of hostnames.no) table.remove(hostname, route.instanceId);
}
