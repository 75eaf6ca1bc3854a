import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { API_PREFIX, type PaasmakerNode } from '@paasmaker/core';
import nodeRuntime from '@paasmaker/plugin-runtime-node';
import gitScm from '@paasmaker/plugin-scm-git';
import mysqlService from '@paasmaker/plugin-service-mysql';
import { mysqlUrl } from '@paasmaker/test-servers';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deployFromGit } from '../src/bespoke-paas';
import {
  gitRepo,
  HELLO_NODE,
  hostnameOf,
  httpGet,
  newToken,
  routerPort,
  startNode,
  TempFolders,
} from './paas-test-helpers';

// An app that answers with the database settings it was given.
const ENV_ECHO = `require('node:http').createServer((q, r) => r.end(JSON.stringify({
  url: process.env.DATABASE_URL ?? null, db: JSON.parse(process.env.PM_SERVICES).db ?? null,
}))).listen(Number(process.env.PORT));
`;

describe('an app with a MySQL service, on a real MariaDB', () => {
  const temp = new TempFolders();
  const superToken = newToken();
  let node: PaasmakerNode;
  let repo: string;

  beforeAll(async () => {
    const data = await temp.make();
    node = await startNode(
      {
        name: 'mysql-e2e',
        dataFolder: data,
        roles: {
          pacemaker: { superToken, nodeToken: newToken(), api: { port: 0 } },
          heart: { stopInstancesOnClose: true, ports: { min: 65_400, max: 65_449 } },
          router: { port: 0 },
        },
      },
      [
        nodeRuntime,
        { plugin: gitScm, options: { cacheDirectory: path.join(data, 'git-cache') } },
        { plugin: mysqlService, options: { adminUrl: mysqlUrl() } },
      ],
    );
    const manifest = await readFile(path.join(HELLO_NODE, 'manifest.yml'), 'utf8');
    repo = await gitRepo(temp, {
      'server.js': ENV_ECHO,
      'manifest.yml': `${manifest}\nservices:\n  - name: db\n    plugin: paasmaker.service.mysql\n`,
    });
  });
  afterAll(async () => {
    await node?.close();
    await temp.removeAll();
  });

  const apiDelete = (url: string, route: string) =>
    fetch(`${url}${API_PREFIX}${route}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${superToken}` },
    });

  const answer = async () =>
    JSON.parse((await httpGet(routerPort(node), hostnameOf('hello-node'))).body) as {
      url: string;
      db: Record<string, unknown>;
    };

  it('gives the app a database of its own as DATABASE_URL and in PM_SERVICES, kept across versions', async () => {
    await deployFromGit(node, repo);
    const first = await answer();
    expect(first.db).toMatchObject({
      protocol: 'mysql',
      provider: 'paasmaker.service.mysql',
      url: first.url,
    });
    const app = await mysql.createConnection({ uri: first.url });
    try {
      await app.query('CREATE TABLE visits (n INT)');
      await app.query('INSERT INTO visits VALUES (1)');
    } finally {
      await app.end();
    }

    await deployFromGit(node, repo);
    const second = await answer();
    expect(second.url).toBe(first.url);
    const again = await mysql.createConnection({ uri: second.url });
    try {
      expect((await again.query('SELECT n FROM visits'))[0]).toEqual([{ n: 1 }]);
    } finally {
      await again.end();
    }
  });

  it('removes the database when the service is deleted, once no version uses it', async () => {
    const { model, actions, jobs, url } = node.pacemaker ?? expect.unreachable();
    const [service] = (await model.services.list()).filter((s) => s.name === 'db');
    const remove = () => apiDelete(url, `/services/${service?.id}`);
    const refused = await remove();
    expect([refused.status, ((await refused.json()) as { error: { code: string } }).error.code]).toEqual([
      409,
      'E_MODEL_CONFLICT',
    ]);

    const [application] = await model.applications.list();
    for (const version of await model.versions.list({ applicationId: application?.id })) {
      if (version.state === 'RUNNING') await jobs.waitForTree((await actions.stop(version.id)).treeId);
      await jobs.waitForTree((await actions.deregister(version.id)).treeId);
    }
    // Deleting an application is a job tree (its instances, hostnames and packages go too).
    const deleted = await apiDelete(url, `/applications/${application?.id}`);
    expect(deleted.status).toBe(202);
    const { treeId } = ((await deleted.json()) as { data: { treeId: string } }).data;
    expect((await jobs.waitForTree(treeId)).jobs[0]?.state).toBe('SUCCESS');

    expect((await remove()).status).toBe(204);
    const database = String(service?.credentials.database);
    const admin = await mysql.createConnection({ uri: mysqlUrl() });
    try {
      expect((await admin.query('SHOW DATABASES LIKE ?', [database]))[0]).toEqual([]);
    } finally {
      await admin.end();
    }
  });
});
