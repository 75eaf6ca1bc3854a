import { hostnameCandidates, normaliseHost, tableHostname } from './hostname';
import type { Route, RouteLookup } from './route';

/** Called after every change to a {@link RoutingTable}, with the table's new serial. */
export type RoutingTableListener = (serial: number) => void;

/**
 * The embedded router's source of truth: hostname → instance id → {@link Route}, in memory.
 *
 * A hostname stays known after its last route is removed (lookups then say "known, no
 * instances", which the router answers with 503) until {@link RoutingTable.removeHostname}.
 * Every change bumps {@link RoutingTable.serial} and notifies {@link RoutingTable.onChange}
 * listeners; a call that changes nothing (re-adding an identical route) does neither.
 */
export class RoutingTable {
  readonly #hosts = new Map<string, Map<string, Route>>();
  readonly #listeners = new Set<RoutingTableListener>();
  #serial = 0;

  /** Incremented on every change, so a reader can tell whether its copy is current. */
  get serial(): number {
    return this.#serial;
  }

  /** Routes `hostname` (exact, or `*.parent` for one wildcard level) to `route`; idempotent per (hostname, instanceId). */
  add(hostname: string, route: Route): void {
    checkRoute(route);
    const key = tableHostname(hostname);
    let routes = this.#hosts.get(key);
    const existing = routes?.get(route.instanceId);
    if (existing && sameRoute(existing, route)) return;
    if (!routes) {
      routes = new Map();
      this.#hosts.set(key, routes);
    }
    routes.set(route.instanceId, { ...route });
    this.#changed();
  }

  /** Makes `hostname` known with no routes if it is not yet in the table (requests then get 503, not 404). */
  addHostname(hostname: string): void {
    const key = tableHostname(hostname);
    if (this.#hosts.has(key)) return;
    this.#hosts.set(key, new Map());
    this.#changed();
  }

  /** Removes one instance from one hostname; the hostname stays known. */
  remove(hostname: string, instanceId: string): void {
    const routes = this.#hosts.get(tableHostname(hostname));
    if (routes?.delete(instanceId)) this.#changed();
  }

  /** Removes an instance from every hostname (the hostnames stay known). */
  removeInstance(instanceId: string): void {
    let changed = false;
    for (const routes of this.#hosts.values()) changed = routes.delete(instanceId) || changed;
    if (changed) this.#changed();
  }

  /** Forgets a hostname and all its routes (requests then get 404). */
  removeHostname(hostname: string): void {
    if (this.#hosts.delete(tableHostname(hostname))) this.#changed();
  }

  /**
   * Finds the routes for a `Host` header: lower-cased, `:port` stripped, then the exact hostname,
   * then one wildcard level (`a.b.foo.com` → `*.b.foo.com`). The first key present wins, even
   * with no routes. See {@link RouteLookup} for how "unknown" and "known but empty" differ.
   */
  lookup(hostHeader: string): RouteLookup {
    const hostname = normaliseHost(hostHeader);
    for (const candidate of hostnameCandidates(hostname)) {
      const routes = this.#hosts.get(candidate);
      if (routes) return { hostname, matched: candidate, known: true, routes: copies(routes) };
    }
    return { hostname, matched: null, known: false, routes: [] };
  }

  /** Every hostname in the table, sorted. */
  hostnames(): string[] {
    return [...this.#hosts.keys()].sort();
  }

  /** The routes of one table hostname (exact key, no wildcard matching), sorted by instance id. */
  routes(hostname: string): Route[] {
    const routes = this.#hosts.get(tableHostname(hostname));
    return routes ? copies(routes).sort((a, b) => a.instanceId.localeCompare(b.instanceId)) : [];
  }

  /** Calls `listener` after every change; returns a function that stops the calls. */
  onChange(listener: RoutingTableListener): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  #changed(): void {
    this.#serial += 1;
    let failure: { error: unknown } | undefined;
    for (const listener of [...this.#listeners]) {
      try {
        listener(this.#serial);
      } catch (error) {
        failure ??= { error };
      }
    }
    // Every listener ran and the table is consistent; a listener's bug still surfaces to the caller.
    if (failure) throw failure.error;
  }
}

function copies(routes: Map<string, Route>): Route[] {
  return [...routes.values()].map((route) => ({ ...route }));
}

function sameRoute(a: Route, b: Route): boolean {
  return (
    a.host === b.host && a.port === b.port && a.versionTypeKey === b.versionTypeKey && a.nodeId === b.nodeId
  );
}

function checkRoute(route: Route): void {
  if (!route.instanceId) throw new TypeError('A route needs an instanceId.');
  if (!route.host) throw new TypeError(`Route ${route.instanceId} has no host.`);
  if (!Number.isInteger(route.port) || route.port < 1 || route.port > 65535) {
    throw new TypeError(`Route ${route.instanceId} has an invalid port: ${route.port}`);
  }
}
