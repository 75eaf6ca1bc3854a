import type { ServiceCredentials, ServiceProvider } from '@paasmaker/core';
import { connectAdmin, type MysqlAdmin } from './mysql-admin';
import { newDatabaseName, newPassword, newUserName, ownedNames } from './mysql-names';
import { type MysqlServiceOptions, mysqlServiceParametersSchema } from './mysql-service-schemas';

/** Credentials a MySQL service gives applications (in `PM_SERVICES`; `url` also becomes `DATABASE_URL`). */
export interface MysqlCredentials extends ServiceCredentials {
  protocol: 'mysql';
  hostname: string;
  port: number;
  username: string;
  password: string;
  database: string;
  url: string;
}

/**
 * A service provider giving each service a database and a user with every privilege on it, and
 * nothing else. Provisioning again (a redeploy) keeps the database, user and password; removing
 * drops both, and succeeds when they are gone already.
 */
export function createMysqlServiceProvider(options: MysqlServiceOptions): ServiceProvider {
  const admin = new URL(options.adminUrl);
  const hostname = options.hostname ?? admin.hostname;
  const port = options.port ?? Number(admin.port || 3306);
  const connectTimeoutMs = (options.connectTimeoutSeconds ?? 10) * 1000;

  async function withAdmin<T>(work: (db: MysqlAdmin) => Promise<T>): Promise<T> {
    const db = await connectAdmin(options.adminUrl, connectTimeoutMs);
    try {
      return await work(db);
    } finally {
      await db.close();
    }
  }

  return {
    parametersSchema: mysqlServiceParametersSchema,
    async provision(request, call) {
      const existing = request.existingCredentials;
      const { database, username } = existing
        ? ownedNames(existing)
        : { database: newDatabaseName(request.serviceName), username: newUserName() };
      const password = typeof existing?.password === 'string' ? existing.password : newPassword();
      await withAdmin(async (db) => {
        await db.run('CREATE DATABASE IF NOT EXISTS ?? CHARACTER SET utf8mb4', [database]);
        await db.run("CREATE USER IF NOT EXISTS ?@'%' IDENTIFIED BY ?", [username, password]);
        await db.run("ALTER USER ?@'%' IDENTIFIED BY ?", [username, password]);
        await db.run("GRANT ALL PRIVILEGES ON ??.* TO ?@'%'", [database, username]);
      });
      call.log.info(`MySQL database ${database} and user ${username} ready on ${hostname}:${port}.`);
      const credentials: MysqlCredentials = {
        protocol: 'mysql',
        hostname,
        port,
        username,
        password,
        database,
        url: `mysql://${username}:${password}@${hostname.includes(':') ? `[${hostname}]` : hostname}:${port}/${database}`,
      };
      return credentials;
    },
    async deprovision(request, call) {
      const { database, username } = ownedNames(request.credentials);
      await withAdmin(async (db) => {
        await db.run('DROP DATABASE IF EXISTS ??', [database]);
        await db.run("DROP USER IF EXISTS ?@'%'", [username]);
      });
      call.log.info(`MySQL database ${database} and user ${username} removed.`);
    },
  };
}
