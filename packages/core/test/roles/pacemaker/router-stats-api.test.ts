import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { eventually } from '@paasmaker/test-servers';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InstanceType, Workspace } from '../../../src/model';
import { API_PREFIX, PACEMAKER_ROUTE_KEY } from '../../../src/roles/pacemaker';
import { statsSeriesSchema } from '../../../src/roles/pacemaker/stats-schemas';
import {
  MemoryRouterStatsStore,
  RedisRouterStatsStore,
  type Route,
  type RouterStatsStore,
  RoutingTable,
  startRouter,
} from '../../../src/roles/router';
import { startNginxRouterRig } from '../router/nginx-router-rig';
import { closedPort, send } from '../router/router-fixture';
import { type ApiFixture, type CallerName, startApiFixture } from './pacemaker-api-fixture';
import { nodeRegistration } from './route-samples';

/** A router fed by the table, adding its stats to a store the API reads; `settled` waits until it serves the table. */
interface StatsRig {
  store: RouterStatsStore;
  port: number;
  settled(): Promise<void>;
  close(): Promise<void>;
}

async function builtInRig(table: RoutingTable): Promise<StatsRig> {
  const store = new MemoryRouterStatsStore();
  const router = await startRouter({ table, statsStore: store, statsFlushMs: 100 });
  return { store, port: router.port, settled: async () => {}, close: () => router.close() };
}

async function nginxRig(table: RoutingTable): Promise<StatsRig> {
  const rig = await startNginxRouterRig(table);
  return {
    store: new RedisRouterStatsStore({ redis: rig.redis, prefix: rig.prefix }),
    port: rig.port,
    settled: async () => void (await rig.publisher.confirm({ timeoutMs: 30_000 })),
    close: () => rig.close(),
  };
}

/** A backend answering `/status/<code>` with that status, anything else with 200. */
async function startStatusBackend() {
  const server = createServer((request, response) => {
    const code = Number(/^\/status\/(\d{3})$/.exec(request.url ?? '')?.[1] ?? 200);
    response.writeHead(code, { 'content-type': 'text/plain' }).end(`status ${code}`);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const validSeries = new Ajv({ strict: false });
addFormats.default(validSeries);
const checkSeries = validSeries.compile(statsSeriesSchema);

describe.each([
  { name: 'the built-in router', start: builtInRig },
  { name: 'the nginx router', start: nginxRig },
])('router stats through $name, served by the pacemaker API', ({ start }) => {
  let fx: ApiFixture;
  let rig: StatsRig;
  let backend: Awaited<ReturnType<typeof startStatusBackend>>;
  const table = new RoutingTable();
  let otherWorkspace: Workspace;
  const ids = {
    version: 0,
    application: 0,
    otherApplication: 0,
    nodeOne: '',
    nodeTwo: '',
    apiInstance: '',
  };
  let types: Record<'web' | 'api' | 'worker' | 'other', InstanceType>;

  const stats = async (route: string, as: CallerName = 'super') =>
    fx.request('GET', `${API_PREFIX}/stats/${route}`, { as });
  const totals = async (route: string) => {
    const response = await stats(route);
    expect(response.status, response.text).toBe(200);
    return response.body.data.totals;
  };

  beforeAll(async () => {
    rig = await start(table);
    fx = await startApiFixture(undefined, { routerStats: rig.store });
    backend = await startStatusBackend();
    otherWorkspace = fx.workspaceB;
    const application = await fx.model.applications.create({
      workspaceId: fx.workspaceA.id,
      name: 'stats-shop',
    });
    const other = await fx.model.applications.create({ workspaceId: otherWorkspace.id, name: 'stats-other' });
    const version = await fx.model.versions.create({
      applicationId: application.id,
      scmName: 'paasmaker.scm.git',
    });
    const otherVersion = await fx.model.versions.create({
      applicationId: other.id,
      scmName: 'paasmaker.scm.git',
    });
    const type = (versionId: number, name: string) =>
      fx.model.instanceTypes.create({
        versionId,
        name,
        runtimeName: 'paasmaker.runtime.node',
        runtimeVersion: '20',
      });
    types = {
      web: await type(version.id, 'web'),
      api: await type(version.id, 'api'),
      worker: await type(version.id, 'worker'),
      other: await type(otherVersion.id, 'web'),
    };
    ids.version = version.id;
    ids.application = application.id;
    ids.otherApplication = other.id;
    ids.nodeOne = await fx.nodes.register(nodeRegistration());
    ids.nodeTwo = await fx.nodes.register(nodeRegistration());
    const nodeOne = await fx.model.nodes.findByUuid(ids.nodeOne);
    const nodeTwo = await fx.model.nodes.findByUuid(ids.nodeTwo);
    if (!nodeOne || !nodeTwo) throw new Error('registered nodes missing');
    const route = async (hostname: string, instanceType: InstanceType, nodeId: number, port: number) => {
      const instance = await fx.model.instances.create({ instanceTypeId: instanceType.id, nodeId, port });
      const node = nodeId === nodeOne.id ? nodeOne : nodeTwo;
      const target: Route = {
        instanceId: instance.uuid,
        host: '127.0.0.1',
        port,
        versionTypeKey: String(instanceType.id),
        nodeId: node.uuid,
      };
      table.add(hostname, target);
      return instance.uuid;
    };
    await route('web.stats.test', types.web, nodeOne.id, backend.port);
    ids.apiInstance = await route('api.stats.test', types.api, nodeOne.id, backend.port);
    // Nothing listens there: the router answers 502 itself.
    await route('worker.stats.test', types.worker, nodeTwo.id, await closedPort());
    await route('other.stats.test', types.other, nodeTwo.id, backend.port);
    table.addHostname('empty.stats.test');
    table.add('pacemaker.stats.test', {
      instanceId: 'pacemaker-node',
      host: '127.0.0.1',
      port: backend.port,
      versionTypeKey: PACEMAKER_ROUTE_KEY,
      nodeId: nodeOne.uuid,
    });
    await rig.settled();

    const expectStatus = async (host: string, pathname: string, status: number) =>
      expect((await send({ port: rig.port }, { host, path: pathname })).status).toBe(status);
    for (let i = 0; i < 5; i += 1) await expectStatus('web.stats.test', '/', 200);
    await expectStatus('web.stats.test', '/status/404', 404);
    await expectStatus('web.stats.test', '/status/403', 403);
    await expectStatus('web.stats.test', '/status/500', 500);
    for (let i = 0; i < 3; i += 1) await expectStatus('api.stats.test', '/', 200);
    await expectStatus('worker.stats.test', '/', 502);
    await expectStatus('other.stats.test', '/', 200);
    await expectStatus('other.stats.test', '/', 200);
    await expectStatus('unknown.stats.test', '/', 404);
    await expectStatus('empty.stats.test', '/', 503);
    await expectStatus('pacemaker.stats.test', '/', 200);
    // Counts reach the store within a flush (a second for nginx).
    await eventually(async () => expect((await totals(`versions/${ids.version}`)).requests).toBe(12));
  });
  afterAll(async () => {
    await rig?.close();
    await fx?.close();
    await backend?.close();
  });

  it('counts each instance type of a version by status class, timing what instances answered', async () => {
    expect(await totals(`versions/${ids.version}/instance-types/${types.web.id}`)).toMatchObject({
      requests: 8,
      timeCount: 8,
      '2xx': 5,
      '4xx': 2,
      '5xx': 1,
      noRoute: 0,
      noBackend: 0,
    });
    const web = await totals(`versions/${ids.version}/instance-types/${types.web.id}`);
    expect(web.bytes).toBeGreaterThan(8 * 'status 200'.length - 1);
    expect(web.time).toBeGreaterThanOrEqual(0);
    expect(await totals(`versions/${ids.version}/instance-types/${types.api.id}`)).toMatchObject({
      requests: 3,
      '2xx': 3,
    });
    // The 502 is the router's own: no instance answered.
    expect(await totals(`versions/${ids.version}/instance-types/${types.worker.id}`)).toMatchObject({
      requests: 1,
      '5xx': 1,
      noBackend: 1,
    });
    expect((await totals(`versions/${ids.version}/instances/${ids.apiInstance}`)).requests).toBe(3);
  });

  it('sums a version, an application and a workspace over their instance types, and a node over its instances', async () => {
    expect(await totals(`versions/${ids.version}`)).toMatchObject({
      requests: 12,
      '2xx': 8,
      '4xx': 2,
      '5xx': 2,
    });
    expect((await totals(`applications/${ids.application}`)).requests).toBe(12);
    expect((await totals(`workspaces/${fx.workspaceA.id}`)).requests).toBe(12);
    expect((await totals(`workspaces/${otherWorkspace.id}`)).requests).toBe(2);
    expect((await totals(`applications/${ids.otherApplication}`)).requests).toBe(2);
    // Node one also runs the pacemaker: its one request counts there.
    expect((await totals(`nodes/${ids.nodeOne}`)).requests).toBe(12);
    expect(await totals(`nodes/${ids.nodeTwo}`)).toMatchObject({
      requests: 3,
      '2xx': 2,
      '5xx': 1,
      noBackend: 1,
    });
  });

  it("counts the pacemaker's own hostname apart from every workspace", async () => {
    expect(await totals('pacemaker')).toMatchObject({ requests: 1, '2xx': 1 });
    expect((await stats('pacemaker', 'rightWorkspace')).status).toBe(403);
  });

  it('counts what no instance was picked for as uncaught: no route (404) and no backend (503)', async () => {
    expect(await totals('uncaught')).toMatchObject({
      requests: 2,
      '4xx': 1,
      '5xx': 1,
      noRoute: 1,
      noBackend: 1,
      timeCount: 0,
    });
  });

  it('answers a dense per-minute series, ending with the current minute, that the OpenAPI schema describes', async () => {
    const response = await stats(`versions/${ids.version}?minutes=5`);
    const data = response.body.data;
    expect(checkSeries(data), JSON.stringify(checkSeries.errors)).toBe(true);
    expect(data.minutes).toBe(5);
    expect(data.series).toHaveLength(5);
    const starts = data.series.map((point: { at: string }) => Date.parse(point.at));
    expect(
      starts.every((at: number, index: number) => index === 0 || at - (starts[index - 1] ?? 0) === 60_000),
    ).toBe(true);
    expect(Date.parse(data.to) - (starts[4] ?? 0)).toBe(60_000);
    expect(Date.parse(data.to)).toBeGreaterThan(Date.now() - 1_000);
    expect(data.series.reduce((sum: number, point: { requests: number }) => sum + point.requests, 0)).toBe(
      12,
    );
    // Counted within the last two minutes (the run may have crossed a minute boundary).
    expect(data.series.slice(0, 3).every((point: { requests: number }) => point.requests === 0)).toBe(true);
    const document = (await fx.request('GET', `${API_PREFIX}/openapi.json`)).body.data;
    const operation = document.paths[`${API_PREFIX}/stats/versions/{versionId}`].get;
    expect(operation.responses['200'].content['application/json'].schema.properties.data).toEqual({
      $ref: '#/components/schemas/RouterStatsSeries',
    });
    expect(document.components.schemas.RouterStatsSeries).toEqual(statsSeriesSchema);
    expect(operation.parameters).toContainEqual(expect.objectContaining({ name: 'minutes', in: 'query' }));
  });

  it('refuses a user without the permission on the workspace (403), and a user scoped to one workspace sees only its own', async () => {
    expect((await stats(`workspaces/${fx.workspaceA.id}`, 'rightWorkspace')).status).toBe(200);
    expect((await stats(`versions/${ids.version}`, 'rightWorkspace')).body.data.totals.requests).toBe(12);
    const refused: [CallerName, string][] = [
      ['rightWorkspace', `workspaces/${otherWorkspace.id}`],
      ['rightWorkspace', `applications/${ids.otherApplication}`],
      ['wrongWorkspace', `versions/${ids.version}/instance-types/${types.web.id}`],
      ['wrongWorkspace', `versions/${ids.version}/instances/${ids.apiInstance}`],
    ];
    for (const [as, route] of refused) {
      const response = await stats(route, as);
      expect(response.status, `${as} ${route}`).toBe(403);
      expect(response.body.error.code).toBe('E_API_FORBIDDEN');
    }
    // Nodes and uncaught requests span every workspace: cluster-wide permissions only.
    expect((await stats(`nodes/${ids.nodeOne}`, 'rightWorkspace')).status).toBe(403);
    expect((await stats('uncaught', 'rightWorkspace')).status).toBe(403);
    expect((await stats(`versions/${ids.version}`, 'noRole')).status).toBe(403);
    expect((await stats(`versions/${ids.version}`, 'anonymous')).status).toBe(401);
  });

  it('answers 404 for an instance type of another version, and 400 for a range beyond a day', async () => {
    expect((await stats(`versions/${ids.version}/instance-types/${types.other.id}`)).status).toBe(404);
    expect((await stats(`versions/${ids.version}?minutes=1441`)).status).toBe(400);
  });
});
