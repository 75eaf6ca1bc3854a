import { AsyncLocalStorage } from 'node:async_hooks';
import type { Tenant } from './tenant';

// One store per process, however many copies of this module are loaded (the CLI bundle and the
// package entry, ESM and CommonJS): a plugin's helper must see the tenant the heart set.
const STORE = Symbol.for('paasmaker.tenant-context');
const holder = globalThis as typeof globalThis & { [STORE]?: AsyncLocalStorage<Tenant | undefined> };
holder[STORE] ??= new AsyncLocalStorage<Tenant | undefined>();
const storage = holder[STORE];

/**
 * Runs `work` with `tenant` as the identity that core's process helpers start processes with,
 * so a runtime or command plugin called inside is isolated without doing anything itself.
 * `undefined` (single-tenant mode) runs processes as this node's own user.
 */
export function runAsTenant<T>(tenant: Tenant | undefined, work: () => Promise<T>): Promise<T> {
  return storage.run(tenant, work);
}

/** The tenant whose code is being started here, if any (see {@link runAsTenant}). */
export function currentTenant(): Tenant | undefined {
  return storage.getStore();
}
