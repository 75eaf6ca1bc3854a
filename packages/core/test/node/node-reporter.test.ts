import net, { createServer } from 'node:net';
import { patient } from '@paasmaker/test-servers';
import { afterAll, describe, expect, it } from 'vitest';
import { createNode, NodeReporter, type PaasmakerNode, parseNodeConfig } from '../../src/node';
import type { NodeRegistration } from '../../src/roles/pacemaker';
import { API_PREFIX } from '../../src/roles/pacemaker';
import { NODE_TOKEN, SUPER_TOKEN, silent, TEST_COST, tempFolder } from './node-test-helpers';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A pacemaker node on a temp SQLite data folder, nodes reporting every 50 ms. */
async function startPacemaker(folder: string, port: number): Promise<PaasmakerNode> {
  const text = `name: pm-test
dataFolder: data
logLevel: silent
roles:
  pacemaker:
    superToken: ${SUPER_TOKEN}
    nodeToken: ${NODE_TOKEN}
    nodeReportIntervalMs: 50
    api:
      port: ${port}
`;
  return createNode(parseNodeConfig(text, `${folder}/paasmaker.yml`), {
    logger: silent,
    passwordCost: TEST_COST,
  });
}

interface ListedNode {
  uuid: string;
  state: string;
  lastHeardAt: string | null;
}

async function listNodes(url: string): Promise<ListedNode[]> {
  const response = await fetch(`${url}${API_PREFIX}/nodes`, {
    headers: { authorization: `Bearer ${SUPER_TOKEN}` },
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { data: ListedNode[] }).data;
}

/** Polls `check` until it returns a value (not undefined) or the deadline passes. */
async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined>,
  deadlineMs = patient(30_000),
): Promise<T> {
  const until = Date.now() + deadlineMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * A port something answers on: the pacemaker probes a registering node's address and refuses
 * one nobody answers on.
 */
async function answeringPort(cleanups: (() => Promise<void>)[]): Promise<number> {
  const server = net.createServer((socket) => socket.destroy());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return (server.address() as net.AddressInfo).port;
}

const registration = (apiPort: number): NodeRegistration => ({
  name: 'heart-1',
  route: '127.0.0.1',
  apiPort,
  roles: { heart: true },
  runtimes: { 'paasmaker.runtime.shell': ['1'] },
  tags: {},
});

describe('NodeReporter against a real pacemaker', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  it('registers, reports on the interval the pacemaker answered, and stops on close()', async () => {
    const dir = await tempFolder();
    cleanups.push(dir.remove);
    const pacemaker = await startPacemaker(dir.folder, 0);
    cleanups.push(() => pacemaker.close());
    const url = pacemaker.pacemaker?.url ?? '';
    let reports = 0;
    const reporter = new NodeReporter({
      pacemakerUrl: url,
      nodeToken: NODE_TOKEN,
      registration: registration(await answeringPort(cleanups)),
      report: async () => {
        reports += 1;
        return { score: 0.5, instances: [], stats: { load: 0.1 } };
      },
      logger: silent,
    });
    cleanups.push(() => reporter.close());

    await reporter.start();
    expect(reporter.isRegistered).toBe(true);
    expect(reporter.reportIntervalMs).toBe(50);
    const uuid = reporter.uuid ?? '';
    const first = await waitFor('the node listed ACTIVE', async () =>
      (await listNodes(url)).find((n) => n.uuid === uuid && n.state === 'ACTIVE' && n.lastHeardAt),
    );
    // Reports arrive: lastHeardAt advances.
    await waitFor('lastHeardAt to advance', async () => {
      const node = (await listNodes(url)).find((n) => n.uuid === uuid);
      return node?.lastHeardAt &&
        Date.parse(node.lastHeardAt) > Date.parse(first.lastHeardAt ?? '') &&
        reports >= 2
        ? node
        : undefined;
    });

    await reporter.close();
    await reporter.close();
    expect(reporter.isRegistered).toBe(false);
    expect((await listNodes(url)).find((n) => n.uuid === uuid)?.state).toBe('STOPPED');
    const reportsAfterClose = reports;
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(reports).toBe(reportsAfterClose);

    // A restart re-registers under the same UUID; the node is ACTIVE again.
    await reporter.start();
    expect(reporter.uuid).toBe(uuid);
    // Registering lists it ACTIVE; on a loaded machine a late 50 ms report can let the registry's
    // silence check mark it DOWN before the list is read, until the next report arrives.
    await waitFor('the node listed ACTIVE again', async () =>
      (await listNodes(url)).find((n) => n.uuid === uuid && n.state === 'ACTIVE'),
    );
    expect((await listNodes(url)).filter((n) => n.uuid === uuid)).toHaveLength(1);
    await reporter.close();
  });

  it('keeps retrying while the pacemaker is down and registers once it is up', async () => {
    const dir = await tempFolder();
    cleanups.push(dir.remove);
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    let attempts = 0;
    const reporter = new NodeReporter({
      pacemakerUrl: url,
      nodeToken: NODE_TOKEN,
      registration: registration(await answeringPort(cleanups)),
      report: async () => ({ score: 1, instances: [] }),
      fetch: (input, init) => {
        attempts += 1;
        return fetch(input, init);
      },
      logger: silent,
      retryInitialMs: 10,
      retryMaxMs: 50,
    });
    cleanups.push(() => reporter.close());

    let started = false;
    const starting = reporter.start().then(() => {
      started = true;
    });
    await waitFor('several failed attempts', async () => (attempts >= 3 ? true : undefined));
    expect(started).toBe(false);
    expect(reporter.isRegistered).toBe(false);

    const pacemaker = await startPacemaker(dir.folder, port);
    cleanups.push(() => pacemaker.close());
    await starting;
    expect(reporter.isRegistered).toBe(true);
    const uuid = reporter.uuid;
    await waitFor('the node listed ACTIVE', async () =>
      (await listNodes(url)).find((n) => n.uuid === uuid && n.state === 'ACTIVE'),
    );
    await reporter.close();
    expect((await listNodes(url)).find((n) => n.uuid === uuid)?.state).toBe('STOPPED');
  });

  it('close() before registering resolves start() and sends nothing more', async () => {
    const port = await freePort();
    let attempts = 0;
    const reporter = new NodeReporter({
      pacemakerUrl: `http://127.0.0.1:${port}`,
      nodeToken: NODE_TOKEN,
      registration: registration(42603),
      report: async () => ({ score: 1, instances: [] }),
      fetch: (input, init) => {
        attempts += 1;
        return fetch(input, init);
      },
      retryInitialMs: 10,
      retryMaxMs: 20,
    });
    const starting = reporter.start();
    await waitFor('a failed attempt', async () => (attempts >= 1 ? true : undefined));
    await reporter.close();
    await starting;
    const after = attempts;
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(attempts).toBe(after);
  });
});
