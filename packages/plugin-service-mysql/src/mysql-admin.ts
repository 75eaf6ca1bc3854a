import { PaasmakerError } from '@paasmaker/core';
import mysql from 'mysql2/promise';

/** One administrator connection, for the statements of one provision or deprovision. */
export interface MysqlAdmin {
  run(sql: string, values: readonly (string | number)[]): Promise<void>;
  close(): Promise<void>;
}

/** Error codes of the server that mean it cannot be used (rather than a statement being refused). */
const unreachable = new Set([
  'ECONNREFUSED',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ECONNRESET',
  'ER_ACCESS_DENIED_ERROR',
]);

/** Connects as the administrator of `adminUrl`; `E_SERVICE_UNAVAILABLE` when that fails (without the password). */
export async function connectAdmin(adminUrl: string, connectTimeoutMs: number): Promise<MysqlAdmin> {
  const url = new URL(adminUrl);
  const where = `${url.hostname}:${url.port || 3306}`;
  let connection: mysql.Connection;
  try {
    connection = await mysql.createConnection({
      host: url.hostname,
      port: Number(url.port || 3306),
      user: decodeURIComponent(url.username),
      password: decodeURIComponent(url.password),
      connectTimeout: connectTimeoutMs,
    });
  } catch (error) {
    const code = (error as { code?: string }).code ?? 'unknown error';
    throw new PaasmakerError(
      'E_SERVICE_UNAVAILABLE',
      `paasmaker.service.mysql: cannot connect to MySQL at ${where} as ${decodeURIComponent(url.username) || '(no user)'} (${code}); check that the server runs and the adminUrl option.`,
    );
  }
  return {
    async run(sql, values) {
      try {
        await connection.query(sql, [...values]);
      } catch (error) {
        const code = (error as { code?: string }).code ?? 'unknown error';
        throw new PaasmakerError(
          unreachable.has(code) ? 'E_SERVICE_UNAVAILABLE' : 'E_SERVICE_FAILED',
          `paasmaker.service.mysql: MySQL at ${where} refused ${sql.split(' ').slice(0, 3).join(' ')}: ${code}.`,
        );
      }
    },
    async close() {
      await connection.end().catch(() => connection.destroy());
    },
  };
}
