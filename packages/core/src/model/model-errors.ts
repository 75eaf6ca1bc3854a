import { PaasmakerError } from '../kernel/errors';
import { type UniqueConstraint, uniqueConstraints } from './model-tables';

interface DriverError {
  code?: unknown;
  constraint?: unknown;
  message?: unknown;
}

const socketCodes = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EPIPE']);

function isUnreachable(error: DriverError, code: string): boolean {
  if (socketCodes.has(code) || /^(08|28|53300|57P|3D000)/.test(code)) return true;
  if (/^SQLITE_(CANTOPEN|BUSY|LOCKED|IOERR|READONLY|FULL)/.test(code)) return true;
  const message = typeof error.message === 'string' ? error.message : '';
  return (
    (error as Error).name === 'KnexTimeoutError' || /connection terminated|timeout acquiring/i.test(message)
  );
}

/** The unique index a PostgreSQL or SQLite unique violation names. */
function violatedConstraint(error: DriverError): UniqueConstraint | undefined {
  if (typeof error.constraint === 'string') return uniqueConstraints.find((c) => c.name === error.constraint);
  const message = typeof error.message === 'string' ? error.message : '';
  // SQLite: "UNIQUE constraint failed: pm_workspaces.name" or "... failed: index 'pm_x'".
  const index = /UNIQUE constraint failed: index '([^']+)'/.exec(message);
  if (index) return uniqueConstraints.find((c) => c.name === index[1]);
  const columns = /UNIQUE constraint failed: ([\w.]+(?:, [\w.]+)*)/.exec(message)?.[1]?.split(', ');
  if (!columns) return undefined;
  const table = columns[0]?.split('.')[0];
  const names = columns.map((column) => column.split('.')[1]).join(',');
  return uniqueConstraints.find((c) => c.table === table && c.columns.join(',') === names);
}

/**
 * Turns a driver error from `action` (e.g. `create workspace "a"`) into a PaasmakerError whose
 * message holds no SQL: unique violations are `E_MODEL_CONFLICT` naming the field, foreign key
 * violations `E_MODEL_NOT_FOUND` (a missing parent) or, when deleting, `E_MODEL_CONFLICT` (rows
 * still depend on it), check violations `E_MODEL_INVALID`, lost connections `E_MODEL_UNAVAILABLE`.
 */
export function toModelError(error: unknown, action: string): PaasmakerError {
  if (error instanceof PaasmakerError) return error;
  const driver = (error ?? {}) as DriverError;
  const code = typeof driver.code === 'string' ? driver.code : '';
  if (code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
    const field = violatedConstraint(driver)?.field ?? 'unique field';
    return new PaasmakerError('E_MODEL_CONFLICT', `cannot ${action}: the ${field} is already taken.`, {
      cause: error,
    });
  }
  const message = typeof driver.message === 'string' ? driver.message : '';
  // SQLite reports ON DELETE RESTRICT as a trigger constraint.
  if (
    code === '23503' ||
    code === 'SQLITE_CONSTRAINT_FOREIGNKEY' ||
    /FOREIGN KEY constraint failed/.test(message)
  ) {
    return action.startsWith('delete')
      ? new PaasmakerError('E_MODEL_CONFLICT', `cannot ${action}: other records still depend on it.`, {
          cause: error,
        })
      : new PaasmakerError('E_MODEL_NOT_FOUND', `cannot ${action}: a record it refers to does not exist.`, {
          cause: error,
        });
  }
  if (code === '23514' || code === '23502' || code === '22P02' || code.startsWith('SQLITE_CONSTRAINT')) {
    return new PaasmakerError('E_MODEL_INVALID', `cannot ${action}: a value is not allowed.`, {
      cause: error,
    });
  }
  if (isUnreachable(driver, code)) {
    const reason = code || (error as Error)?.name || 'connection failed';
    return new PaasmakerError(
      'E_MODEL_UNAVAILABLE',
      `cannot ${action}: the model database is unreachable (${reason}).`,
      {
        cause: error,
      },
    );
  }
  return new PaasmakerError(
    'E_MODEL_INVALID',
    `cannot ${action}: the database refused it (${code || 'no code'}).`,
    {
      cause: error,
    },
  );
}

/** `E_MODEL_NOT_FOUND` for `entity` (`workspace`, `application`) with `id`. */
export function notFound(entity: string, id: number | string): PaasmakerError {
  return new PaasmakerError('E_MODEL_NOT_FOUND', `no ${entity} has id ${JSON.stringify(id)}.`);
}

/** `E_MODEL_INVALID` unless `value` is one of `allowed`. */
export function checkOneOf<T extends string>(what: string, value: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(value)) {
    throw new PaasmakerError(
      'E_MODEL_INVALID',
      `${what} ${JSON.stringify(value)} is not one of ${allowed.join(', ')}.`,
    );
  }
  return value as T;
}
