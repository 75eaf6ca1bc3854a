import type { DeadBackends } from './dead-backends';
import type { Route } from './route';

/**
 * Picks the next instance to try for one request: uniformly at random among those not yet
 * tried and not marked dead; when only marked ones are left, among those (a mark may be stale).
 * Returns `null` when every instance was tried.
 */
export function pickRoute(
  routes: readonly Route[],
  tried: ReadonlySet<string>,
  dead: DeadBackends,
): Route | null {
  const untried = routes.filter((route) => !tried.has(route.instanceId));
  if (untried.length === 0) return null;
  const alive = untried.filter((route) => !dead.isDead(route.instanceId));
  const pool = alive.length > 0 ? alive : untried;
  return pool[Math.floor(Math.random() * pool.length)] ?? null;
}
