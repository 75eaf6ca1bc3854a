import type { Kernel, ServiceCredentials, ServiceProvider } from '@paasmaker/core';
import { mysqlUrl } from '@paasmaker/test-servers';
import {
  describeServiceConformance,
  expectPaasmakerError,
  providerCall,
  throwawayKernel,
} from '@paasmaker/testkit';
import mysql from 'mysql2/promise';
import { beforeEach, describe, expect, it } from 'vitest';
import { MYSQL_SERVICE_NAME, type MysqlCredentials, mysqlServicePlugin } from '../src/index';

const plugins = [{ plugin: mysqlServicePlugin, options: { adminUrl: mysqlUrl() } }];

/** Connects as an application would, with the service's own credentials. */
function connectAs(credentials: ServiceCredentials) {
  return mysql.createConnection({ uri: String(credentials.url), connectTimeout: 5000 });
}

async function adminQuery<T>(sql: string, values: string[] = []): Promise<T[]> {
  const admin = await mysql.createConnection({ uri: mysqlUrl() });
  try {
    return (await admin.query(sql, values))[0] as T[];
  } finally {
    await admin.end();
  }
}

/** An admin URL with a closed port and a password that must never show. */
function unreachableUrl(): string {
  const url = new URL(mysqlUrl());
  url.port = '1';
  url.password = 'hunter2-secret';
  return url.toString();
}

describeServiceConformance({
  service: MYSQL_SERVICE_NAME,
  plugins,
  unreachable: {
    plugins: [
      { plugin: mysqlServicePlugin, options: { adminUrl: unreachableUrl(), connectTimeoutSeconds: 2 } },
    ],
    address: '127.0.0.1:1',
    secret: 'hunter2',
  },
  data: {
    async write(credentials, value) {
      const app = await connectAs(credentials);
      try {
        await app.query('CREATE TABLE IF NOT EXISTS probe (value VARCHAR(100))');
        await app.query('DELETE FROM probe');
        await app.query('INSERT INTO probe VALUES (?)', [value]);
      } finally {
        await app.end();
      }
    },
    async read(credentials) {
      const app = await connectAs(credentials);
      try {
        const [rows] = await app.query('SELECT value FROM probe').catch((error: { code?: string }) => {
          if (error.code === 'ER_NO_SUCH_TABLE') return [[]];
          throw error;
        });
        return (rows as { value: string }[])[0]?.value;
      } finally {
        await app.end();
      }
    },
  },
});

describe('paasmaker.service.mysql against a real MariaDB', () => {
  let kernel: Kernel;
  let service: ServiceProvider;

  beforeEach(async () => {
    kernel = await throwawayKernel(plugins);
    service = kernel.provider('service', MYSQL_SERVICE_NAME);
  });

  it('gives a service a database and a user that can use it, and nothing else', async () => {
    const credentials = (await service.provision(
      { serviceName: 'Orders DB!', parameters: {} },
      providerCall(kernel),
    )) as MysqlCredentials;
    expect(credentials).toMatchObject({ protocol: 'mysql', hostname: '127.0.0.1' });
    expect(credentials.database).toMatch(/^pm_orders_db_[a-z0-9]{8}$/);
    expect(credentials.url).toBe(
      `mysql://${credentials.username}:${credentials.password}@127.0.0.1:${credentials.port}/${credentials.database}`,
    );

    const app = await connectAs(credentials);
    try {
      await app.query('CREATE TABLE orders (id INT PRIMARY KEY, item VARCHAR(20))');
      await app.query("INSERT INTO orders VALUES (1, 'tea ☕')");
      expect((await app.query('SELECT item FROM orders'))[0]).toEqual([{ item: 'tea ☕' }]);
      const [databases] = await app.query('SHOW DATABASES');
      expect((databases as { Database: string }[]).map((row) => row.Database).sort()).toEqual(
        [credentials.database, 'information_schema'].sort(),
      );
      await expect(app.query('CREATE DATABASE pm_sneaky')).rejects.toMatchObject({
        code: 'ER_DBACCESS_DENIED_ERROR',
      });
    } finally {
      await app.end();
    }
    await service.deprovision({ serviceName: 'Orders DB!', credentials }, providerCall(kernel));
  });

  it('keeps the password when provisioned again, and drops the user with the database', async () => {
    const first = await service.provision({ serviceName: 'kept', parameters: {} }, providerCall(kernel));
    const again = await service.provision(
      { serviceName: 'kept', parameters: {}, existingCredentials: first },
      providerCall(kernel),
    );
    expect(again).toEqual(first);
    await service.deprovision({ serviceName: 'kept', credentials: first }, providerCall(kernel));
    expect(await adminQuery('SHOW DATABASES LIKE ?', [String(first.database)])).toEqual([]);
    expect(await adminQuery('SELECT User FROM mysql.user WHERE User = ?', [String(first.username)])).toEqual(
      [],
    );
  });

  it('refuses to drop anything it did not make', async () => {
    const foreign = { protocol: 'mysql', database: 'mysql', username: 'root' };
    const error = await expectPaasmakerError(
      service.deprovision({ serviceName: 'x', credentials: foreign }, providerCall(kernel)),
      'E_SERVICE_FAILED',
    );
    expect(error.message).toMatch(/^paasmaker\.service\.mysql: /);
    const injected = {
      protocol: 'mysql',
      database: 'pm_x_abcdefgh`; DROP DATABASE mysql; --',
      username: 'pm_abcdefghijkl',
    };
    await expectPaasmakerError(
      service.deprovision({ serviceName: 'x', credentials: injected }, providerCall(kernel)),
      'E_SERVICE_FAILED',
    );
    expect(await adminQuery('SHOW DATABASES LIKE ?', ['mysql'])).toHaveLength(1);
  });

  it('refuses options without an admin URL when the kernel starts', async () => {
    await expectPaasmakerError(
      throwawayKernel([{ plugin: mysqlServicePlugin, options: {} }]),
      'E_PLUGIN_OPTIONS',
    );
  });
});
