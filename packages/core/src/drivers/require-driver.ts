import { createRequire } from 'node:module';
import { PaasmakerError } from '../kernel/errors';

/**
 * The packages core drives but does not depend on (optional peer dependencies): whoever uses a
 * store, the model or the API installs them, and a kernel-only install pulls none of them.
 */
interface Drivers {
  knex: typeof import('knex');
  ioredis: typeof import('ioredis');
  ws: typeof import('ws');
  fastify: typeof import('fastify');
  '@fastify/rate-limit': typeof import('@fastify/rate-limit');
  /** Loaded by knex itself; required here to say clearly when it is missing. */
  'better-sqlite3': unknown;
  pg: unknown;
}

/** The names of the optional peer dependencies {@link requireDriver} loads. */
export type DriverName = keyof Drivers;

// Every driver is a CommonJS package: required on first use, so that loading core (ESM or CJS)
// never resolves one, and the constructors that use them stay synchronous.
const requireFromCore = createRequire(import.meta.url);

/** Drivers whose native addon loads only when first used: tried once here, so that a missing build is said at once. */
const probes: Partial<Record<DriverName, (driver: unknown) => void>> = {
  'better-sqlite3': (driver) =>
    new (driver as new (filename: string) => { close(): void })(':memory:').close(),
};
const probed = new Set<DriverName>();

/**
 * Loads an optional driver on first use, after the `companions` it works with (knex's client,
 * say). `E_DRIVER_MISSING` names every one of them that is not installed, or the one that
 * cannot load (a native addon whose install script never ran).
 * @param purpose what needs it, e.g. "the Redis job store"
 */
export function requireDriver<Name extends DriverName>(
  name: Name,
  purpose: string,
  companions: DriverName[] = [],
): Drivers[Name] {
  const missing: string[] = [];
  let loaded: unknown;
  for (const each of [name, ...companions]) {
    try {
      const driver: unknown = requireFromCore(each);
      if (!probed.has(each)) probes[each]?.(driver);
      probed.add(each);
      if (each === name) loaded = driver;
    } catch (error) {
      if (!isNotFound(error, each)) throw unloadable(each, purpose, error);
      missing.push(each);
    }
  }
  if (missing.length > 0) {
    const install = missing.join(' ');
    throw new PaasmakerError(
      'E_DRIVER_MISSING',
      `${purpose} needs ${missing.join(' and ')}, not installed: npm install ${install} ` +
        '(or install @paasmaker/node, which brings every driver).',
    );
  }
  return loaded as Drivers[Name];
}

function isNotFound(error: unknown, name: string): boolean {
  return (
    (error as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND' &&
    (error as Error).message.startsWith(`Cannot find module '${name}'`)
  );
}

function unloadable(name: string, purpose: string, cause: unknown): PaasmakerError {
  const reason = (cause as Error).message.split('\n')[0];
  return new PaasmakerError(
    'E_DRIVER_MISSING',
    `${purpose} needs ${name}, which is installed but cannot load (${reason}); a native addon whose ` +
      `install script did not run is built with npm rebuild ${name} once its scripts are allowed.`,
    { cause },
  );
}
