import { PaasmakerError } from '../../kernel/errors';

/** Node socket errors meaning the server cannot be reached. */
const socketCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
]);

/**
 * PostgreSQL SQLSTATEs (by prefix) meaning the database cannot be used: connection exceptions
 * (08), too many connections (53300), shutdown (57P0x), bad credentials (28), unknown database
 * (3D000).
 */
const postgresStates = ['08', '53300', '57P', '28', '3D000'];

/** SQLite result codes (by prefix) meaning the file cannot be used right now. */
const sqliteCodes = [
  'SQLITE_CANTOPEN',
  'SQLITE_BUSY',
  'SQLITE_LOCKED',
  'SQLITE_IOERR',
  'SQLITE_READONLY',
  'SQLITE_FULL',
];

/** Messages of pg and knex errors that carry no code but mean the connection is gone. */
const connectionMessages = [/connection terminated/i, /connection error/i, /timeout acquiring a connection/i];

/** True when `error` means the store's database is unreachable rather than a query being wrong. */
export function isConnectionError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error instanceof PaasmakerError) return error.code === 'E_JOBS_UNAVAILABLE';
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (socketCodes.has(code)) return true;
    if (postgresStates.some((prefix) => code.startsWith(prefix)) && /^[0-9A-Z]{5}$/.test(code)) return true;
    if (sqliteCodes.some((prefix) => code.startsWith(prefix))) return true;
  }
  if (error.name === 'KnexTimeoutError') return true;
  return connectionMessages.some((pattern) => pattern.test(error.message));
}

/** True when `error` is a primary key or unique violation (duplicate job id). */
export function isDuplicateKeyError(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE';
}

/**
 * Turns a connection failure into `E_JOBS_UNAVAILABLE` naming `address` (which never holds a
 * password); returns every other error unchanged.
 */
export function toStoreError(error: unknown, address: string): unknown {
  if (error instanceof PaasmakerError || !isConnectionError(error)) return error;
  return unreachable(error, address);
}

/** The `E_JOBS_UNAVAILABLE` error for the database at `address`, failing with `error`. */
export function unreachable(error: unknown, address: string): PaasmakerError {
  const reason = (error as Error)?.message || (error as { code?: string })?.code || String(error);
  return new PaasmakerError(
    'E_JOBS_UNAVAILABLE',
    `job store database at ${address} is unreachable: ${reason}`,
    {
      cause: error,
    },
  );
}

/** A PostgreSQL connection URL or settings object as `postgres://user@host:port/database`, without password. */
export function postgresAddress(connection: unknown): string {
  if (typeof connection === 'string') {
    try {
      const url = new URL(connection);
      url.password = '';
      url.search = '';
      return url.toString();
    } catch {
      return 'postgres://(unparsable connection string)';
    }
  }
  const settings = (connection ?? {}) as Record<string, unknown>;
  if (typeof settings.connectionString === 'string') return postgresAddress(settings.connectionString);
  const user = typeof settings.user === 'string' ? `${settings.user}@` : '';
  const host = typeof settings.host === 'string' ? settings.host : 'localhost';
  const port = settings.port === undefined ? '' : `:${String(settings.port)}`;
  const database = typeof settings.database === 'string' ? settings.database : '';
  return `postgres://${user}${host}${port}/${database}`;
}
