import { createServer } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { isPaasmakerError } from '../../src/kernel';
import {
  createNode,
  formatFirstStart,
  loadNodeConfig,
  type PaasmakerNode,
  parseNodeConfig,
} from '../../src/node';
import { API_PREFIX } from '../../src/roles/pacemaker';
import { modelBackends } from '../model/model-backends';
import { NODE_TOKEN, SUPER_TOKEN, silent, TEST_COST, tempFolder } from './node-test-helpers';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function canListen(port: number): Promise<boolean> {
  const server = createServer();
  return new Promise((resolve) => {
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

function config(port: number, extra = ''): string {
  return `name: test-node
dataFolder: data
logLevel: silent
roles:
  pacemaker:
    superToken: \${env:PM_TEST_SUPER_TOKEN}
    nodeToken: ${NODE_TOKEN}
${extra}    api:
      port: ${port}
`;
}

const env = { PM_TEST_SUPER_TOKEN: SUPER_TOKEN };
const start = (node: Parameters<typeof createNode>[0]) =>
  createNode(node, { logger: silent, passwordCost: TEST_COST });

async function get(url: string, authorization?: string) {
  const response = await fetch(url, { headers: authorization ? { authorization } : {} });
  // biome-ignore lint/suspicious/noExplicitAny: response bodies are read loosely in tests
  const body: any = await response.json().catch(() => undefined);
  return { status: response.status, body };
}

describe('createNode', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  it('starts a pacemaker from a config file; the first start creates the admin once; close() frees the port', async () => {
    const dir = await tempFolder();
    cleanups.push(dir.remove);
    const port = await freePort();
    const file = await dir.write('paasmaker.yml', config(port));
    const nodeConfig = await loadNodeConfig(file, { env });

    let node: PaasmakerNode | undefined = await start(nodeConfig);
    try {
      const url = `http://127.0.0.1:${port}`;
      expect(node.pacemaker?.url).toBe(url);
      const first = node.firstStart;
      expect(first).toMatchObject({ login: 'admin', url });
      expect(first?.password.length).toBeGreaterThanOrEqual(20);
      if (!first) throw new Error('no first start');
      expect(formatFirstStart(first)).toContain(`password: ${first.password}`);

      // The super token, taken from the environment, works over real HTTP.
      expect((await get(`${url}${API_PREFIX}/workspaces`, `Bearer ${SUPER_TOKEN}`)).status).toBe(200);
      expect((await get(`${url}${API_PREFIX}/workspaces`)).status).toBe(401);
      // The node registry is wired in: its routes answer.
      expect((await get(`${url}${API_PREFIX}/nodes`, `Bearer ${SUPER_TOKEN}`)).status).toBe(200);
      // The admin logs in with the printed password and holds every permission cluster-wide.
      const basic = `Basic ${Buffer.from(`admin:${first?.password}`).toString('base64')}`;
      const users = await get(`${url}${API_PREFIX}/users`, basic);
      expect(users.status).toBe(200);
      expect(users.body.data.map((u: { login: string }) => u.login)).toEqual(['admin']);
      const roles = await get(`${url}${API_PREFIX}/roles`, basic);
      expect(roles.body.data[0]).toMatchObject({ name: 'Administrator' });
      expect(roles.body.data[0].permissions.length).toBe(26);
      const wrong = `Basic ${Buffer.from('admin:wrong').toString('base64')}`;
      expect((await get(`${url}${API_PREFIX}/users`, wrong)).status).toBe(401);

      await node.close();
      await node.close();
      node = undefined;
      expect(await canListen(port)).toBe(true);

      // A second start of the same data folder creates no admin; the old password still works.
      node = await start(nodeConfig);
      expect(node.firstStart).toBeUndefined();
      expect((await get(`${url}${API_PREFIX}/users`, basic)).body.data).toHaveLength(1);
    } finally {
      await node?.close();
    }
    expect(await canListen(port)).toBe(true);
  });

  it('stops what had started when the API port is taken (E_NODE_START)', async () => {
    const dir = await tempFolder();
    cleanups.push(dir.remove);
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const { port } = blocker.address() as { port: number };
    try {
      const nodeConfig = parseNodeConfig(config(port), `${dir.folder}/paasmaker.yml`, { env });
      const error = await start(nodeConfig).catch((e: unknown) => e);
      expect(isPaasmakerError(error, 'E_NODE_START')).toBe(true);
      expect(String((error as Error).message)).toContain('EADDRINUSE');
    } finally {
      await new Promise<void>((resolve) => blocker.close(() => resolve()));
    }
  });

  it('fails with the plugin error when a configured plugin package does not exist', async () => {
    const dir = await tempFolder();
    cleanups.push(dir.remove);
    const text = `${config(0)}plugins:\n  - plugin: '@paasmaker/no-such-plugin'\n`;
    const nodeConfig = parseNodeConfig(text, `${dir.folder}/paasmaker.yml`, { env });
    await expect(start(nodeConfig)).rejects.toMatchObject({ code: 'E_PLUGIN_NOT_FOUND' });
  });

  it('runs on PostgreSQL with the job store in the same database', async () => {
    const postgres = modelBackends.find((backend) => backend.name === 'postgres');
    if (!postgres) throw new Error('no PostgreSQL backend');
    const backend = await postgres.open();
    const dir = await tempFolder();
    cleanups.push(dir.remove);
    const url = (backend.options as { connection: string }).connection;
    const nodeConfig = parseNodeConfig(
      config(0, `    database: \${env:PM_TEST_DATABASE}\n`),
      `${dir.folder}/paasmaker.yml`,
      { env: { ...env, PM_TEST_DATABASE: url } },
    );
    expect(nodeConfig.roles.pacemaker?.database).toBe(url);
    let node = await start(nodeConfig);
    try {
      expect(node.firstStart?.login).toBe('admin');
      const base = node.pacemaker?.url;
      expect((await get(`${base}${API_PREFIX}/workspaces`, `Bearer ${SUPER_TOKEN}`)).status).toBe(200);
      await node.close();
      node = await start(nodeConfig);
      expect(node.firstStart).toBeUndefined();
    } finally {
      await node.close();
      await backend.cleanUp();
    }
  });
});
