import type { Route } from '../router/route';
import type { RoutingTable } from '../router/routing-table';

/** The version type key of a pacemaker's route, as the original's `#pacemaker#` (instances' keys are numeric ids). */
export const PACEMAKER_ROUTE_KEY = 'pacemaker';

/** The hostname the routers serve the pacemaker (its API, job stream and console) on: `pacemaker.<cluster hostname>`. */
export function pacemakerHostname(clusterHostname: string): string {
  return `pacemaker.${clusterHostname}`;
}

/** Whether `route` leads to a pacemaker rather than to an instance. */
export function isPacemakerRoute(route: Route): boolean {
  return route.versionTypeKey === PACEMAKER_ROUTE_KEY;
}

/** Where a pacemaker is and what its route is called. */
export interface PacemakerRouteOptions {
  /** The cluster's hostname (`roles.pacemaker.clusterHostname`). */
  clusterHostname: string;
  /** The node's name: the route's instance id is `pacemaker-<name>`, its node key the name. */
  nodeName: string;
  /** The address routers reach the pacemaker's API on. */
  address: string;
  /** The API's port. */
  port: number;
}

/**
 * Routes `pacemaker.<cluster hostname>` to the pacemaker's API in `table`, so every router
 * reading the table serves it (HTTP and the job stream websocket). Returns a function that takes
 * the route off again; the hostname stays known, so routers answer 503 while the pacemaker is away.
 */
export function routePacemaker(table: RoutingTable, options: PacemakerRouteOptions): () => void {
  const hostname = pacemakerHostname(options.clusterHostname);
  const route: Route = {
    instanceId: `pacemaker-${options.nodeName}`,
    host: options.address,
    port: options.port,
    versionTypeKey: PACEMAKER_ROUTE_KEY,
    nodeId: options.nodeName,
  };
  table.add(hostname, route);
  return () => table.remove(hostname, route.instanceId);
}

/**
 * The address routers reach the pacemaker's API on: the address it listens on; for a wildcard
 * one (`0.0.0.0`, `::`), the node's route (`roles.heart.route`) when it has a heart, else loopback.
 */
export function pacemakerAddress(apiHost: string, nodeRoute: string | undefined): string {
  if (apiHost !== '0.0.0.0' && apiHost !== '::') return apiHost;
  return nodeRoute ?? (apiHost === '::' ? '::1' : '127.0.0.1');
}
