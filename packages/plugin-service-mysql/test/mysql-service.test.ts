import {
  createKernel,
  isPaasmakerError,
  type Kernel,
  type ProviderCall,
  type ServiceCredentials,
  type ServiceProvider,
} from '@paasmaker/core';
import { mysqlUrl } from '@paasmaker/test-servers';
import mysql from 'mysql2/promise';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MYSQL_SERVICE_NAME, type MysqlCredentials, mysqlServicePlugin } from '../src/index';

const call: ProviderCall = { log: pino({ enabled: false }), signal: new AbortController().signal };

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

describe('paasmaker.service.mysql against a real MariaDB', () => {
  let kernel: Kernel;
  let service: ServiceProvider;

  beforeAll(async () => {
    kernel = await createKernel({
      plugins: [{ plugin: mysqlServicePlugin, options: { adminUrl: mysqlUrl() } }],
    });
    service = kernel.hooks.service.find(MYSQL_SERVICE_NAME) ?? expect.unreachable();
  });
  afterAll(async () => {
    await kernel?.close();
  });

  it('gives a service a database and a user that can use it, and nothing else', async () => {
    const credentials = (await service.provision(
      { serviceName: 'Orders DB!', parameters: {} },
      call,
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
    await service.deprovision({ serviceName: 'Orders DB!', credentials }, call);
  });

  it('keeps the database, its data and the password when provisioned again', async () => {
    const first = await service.provision({ serviceName: 'kept', parameters: {} }, call);
    const app = await connectAs(first);
    await app.query('CREATE TABLE notes (text VARCHAR(10))');
    await app.query("INSERT INTO notes VALUES ('still here')");
    await app.end();

    const again = await service.provision(
      { serviceName: 'kept', parameters: {}, existingCredentials: first },
      call,
    );
    expect(again).toEqual(first);
    const back = await connectAs(again);
    try {
      expect((await back.query('SELECT text FROM notes'))[0]).toEqual([{ text: 'still here' }]);
    } finally {
      await back.end();
    }
    await service.deprovision({ serviceName: 'kept', credentials: first }, call);
  });

  it('removes the database and the user, and removing again succeeds', async () => {
    const credentials = await service.provision({ serviceName: 'gone', parameters: {} }, call);
    await service.deprovision({ serviceName: 'gone', credentials }, call);
    await service.deprovision({ serviceName: 'gone', credentials }, call);
    expect(await adminQuery('SHOW DATABASES LIKE ?', [String(credentials.database)])).toEqual([]);
    expect(
      await adminQuery('SELECT User FROM mysql.user WHERE User = ?', [String(credentials.username)]),
    ).toEqual([]);
    await expect(connectAs(credentials)).rejects.toMatchObject({ code: 'ER_ACCESS_DENIED_ERROR' });
  });

  it('refuses to drop anything it did not make', async () => {
    const foreign = { protocol: 'mysql', database: 'mysql', username: 'root' };
    const error = await service
      .deprovision({ serviceName: 'x', credentials: foreign }, call)
      .catch((e: unknown) => e);
    expect(isPaasmakerError(error, 'E_SERVICE_FAILED')).toBe(true);
    const injected = {
      protocol: 'mysql',
      database: 'pm_x_abcdefgh`; DROP DATABASE mysql; --',
      username: 'pm_abcdefghijkl',
    };
    const second = await service
      .deprovision({ serviceName: 'x', credentials: injected }, call)
      .catch((e: unknown) => e);
    expect(isPaasmakerError(second, 'E_SERVICE_FAILED')).toBe(true);
    expect(await adminQuery('SHOW DATABASES LIKE ?', ['mysql'])).toHaveLength(1);
  });

  it('says which server it cannot reach, without the admin password', async () => {
    const url = new URL(mysqlUrl());
    url.port = '1';
    url.password = 'hunter2-secret';
    const offline = await createKernel({
      plugins: [
        { plugin: mysqlServicePlugin, options: { adminUrl: url.toString(), connectTimeoutSeconds: 2 } },
      ],
    });
    try {
      const provider = offline.hooks.service.find(MYSQL_SERVICE_NAME) ?? expect.unreachable();
      const error = await provider
        .provision({ serviceName: 'x', parameters: {} }, call)
        .catch((e: unknown) => e);
      expect(isPaasmakerError(error, 'E_SERVICE_UNAVAILABLE')).toBe(true);
      expect((error as Error).message).toContain('127.0.0.1:1');
      expect((error as Error).message).not.toContain('hunter2');
    } finally {
      await offline.close();
    }
  });

  it('refuses options without an admin URL when the kernel starts', async () => {
    const error = await createKernel({ plugins: [{ plugin: mysqlServicePlugin, options: {} }] }).catch(
      (e: unknown) => e,
    );
    expect(isPaasmakerError(error, 'E_PLUGIN_OPTIONS')).toBe(true);
  });
});
