import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type JobEvent, JobStreamClient, type TreeRecord } from '../../../src/jobs';
import { API_PREFIX, JOB_STREAM_PATH } from '../../../src/roles/pacemaker';
import { type ApiFixture, type CallerName, startApiFixture } from './pacemaker-api-fixture';
import { nodeRegistration } from './route-samples';

/** The HTTP status a websocket upgrade to the job stream gets (101 when it opens). */
function upgradeStatus(url: string, authorization?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers: authorization ? { authorization } : {} });
    ws.on('open', () => {
      ws.close();
      resolve(101);
    });
    ws.on('unexpected-response', (_request, response) => {
      resolve(response.statusCode ?? 0);
      response.resume();
      ws.terminate();
    });
    ws.on('error', (error) => {
      if (!String(error.message).includes('Unexpected server response')) reject(error);
    });
  });
}

function until<T>(check: () => T | undefined, ms = 5_000): Promise<T> {
  const start = Date.now();
  return new Promise((resolve, reject) => {
    const tick = () => {
      const value = check();
      if (value !== undefined) return resolve(value);
      if (Date.now() - start > ms) return reject(new Error('timed out'));
      setTimeout(tick, 20);
    };
    tick();
  });
}

describe('pacemaker API: nodes, job logs, job stream, applications', () => {
  let fx: ApiFixture;
  let streamUrl: string;

  beforeAll(async () => {
    fx = await startApiFixture();
    streamUrl = `${fx.url.replace(/^http/, 'ws')}${JOB_STREAM_PATH}`;
  });
  afterAll(async () => {
    await fx?.close();
  });

  it('registers a node, takes its report, lists it and stops it over HTTP', async () => {
    const registration = nodeRegistration('flow-node');
    const registered = await fx.request('POST', `${API_PREFIX}/nodes/register`, {
      as: 'node',
      body: registration,
    });
    expect(registered.status, registered.text).toBe(200);
    const { uuid, node, reportIntervalMs } = registered.body.data;
    expect(uuid).toMatch(/^[0-9a-f-]{36}$/);
    expect(node).toMatchObject({ name: 'flow-node', state: 'ACTIVE', apiPort: 42500 });
    expect(reportIntervalMs).toBe(60_000);

    const reported = await fx.request('POST', `${API_PREFIX}/nodes/${uuid}/report`, {
      as: 'node',
      body: { score: 0.75, instances: [], stats: { load: 1.5, platform: 'linux' } },
    });
    expect(reported.status, reported.text).toBe(200);
    expect(reported.body.data.node.score).toBe(0.75);

    const listed = await fx.request('GET', `${API_PREFIX}/nodes`, { as: 'super' });
    expect(listed.body.data.map((n: { uuid: string }) => n.uuid)).toContain(uuid);
    const detail = await fx.request('GET', `${API_PREFIX}/nodes/${uuid.toUpperCase()}`, { as: 'super' });
    expect(detail.status, detail.text).toBe(200);
    expect(detail.body.data).toMatchObject({ uuid, score: 0.75, stats: { load: 1.5, platform: 'linux' } });

    const stopped = await fx.request('POST', `${API_PREFIX}/nodes/${uuid}/stop`, { as: 'node' });
    expect(stopped.body.data.state).toBe('STOPPED');
    // Re-registering with its uuid brings it back ACTIVE.
    const back = await fx.request('POST', `${API_PREFIX}/nodes/register`, {
      as: 'node',
      body: { ...registration, uuid },
    });
    expect(back.body.data).toMatchObject({ uuid, node: { state: 'ACTIVE' } });
  });

  it('names the bad field of a node body and refuses unknown node UUIDs', async () => {
    const bad = await fx.request('POST', `${API_PREFIX}/nodes/register`, {
      as: 'node',
      body: { ...nodeRegistration(), apiPort: 70000 },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.fields).toEqual([expect.objectContaining({ field: 'body/apiPort' })]);
    const unknown = '00000000-0000-4000-8000-000000000000';
    const report = await fx.request('POST', `${API_PREFIX}/nodes/${unknown}/report`, {
      as: 'node',
      body: { score: 1, instances: [] },
    });
    expect(report.status, report.text).toBe(404);
    expect(report.body.error.code).toBe('E_NODE_NOT_FOUND');
    const detail = await fx.request('GET', `${API_PREFIX}/nodes/${unknown}`, { as: 'super' });
    expect(detail.status).toBe(404);
  });

  it('serves a job log as text/plain, 404 when there is none', async () => {
    const treeId = await fx.scratchTree(fx.workspaceA.id);
    const none = await fx.request('GET', `${API_PREFIX}/jobs/${treeId}/log`, { as: 'rightWorkspace' });
    expect(none.status, none.text).toBe(404);
    expect(none.body.error.code).toBe('E_JOB_LOG_NOT_FOUND');
    const logger = fx.jobs.logs.openLogger(treeId);
    logger.log.info('first line ü');
    logger.log.warn('second line');
    await logger.close();
    const response = await fetch(`${fx.url}${API_PREFIX}/jobs/${treeId}/log`, {
      headers: { authorization: fx.authorization('rightWorkspace') ?? '' },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    const text = await response.text();
    expect(text).toContain('first line ü');
    expect(text).toContain('second line');
    const forbidden = await fx.request('GET', `${API_PREFIX}/jobs/${treeId}/log`, { as: 'wrongWorkspace' });
    expect(forbidden.status).toBe(403);
  });

  it.each([
    ['anonymous', 401],
    ['noRole', 403],
    ['node', 403],
    ['wrongWorkspace', 101],
    ['rightWorkspace', 101],
    ['super', 101],
  ] as [CallerName, number][])('answers a job stream upgrade by %s with %i', async (caller, status) => {
    expect(await upgradeStatus(streamUrl, fx.authorization(caller))).toBe(status);
  });

  it('refuses upgrades elsewhere and forged credentials', async () => {
    expect(await upgradeStatus(`${fx.url.replace(/^http/, 'ws')}${API_PREFIX}/jobs/other`)).toBe(404);
    expect(await upgradeStatus(streamUrl, 'Bearer pmk_00000000_forged')).toBe(401);
  });

  it('lets a permitted caller follow a tree and a log over the job stream', async () => {
    const key = fx.authorization('rightWorkspace')?.replace(/^Bearer /, '');
    const client = new JobStreamClient({ url: streamUrl, token: key });
    try {
      const treeId = await fx.scratchTree(fx.workspaceA.id);
      const snapshots: TreeRecord[] = [];
      const events: JobEvent[] = [];
      client.followTree(treeId, {
        onSnapshot: (tree) => snapshots.push(tree),
        onEvent: (e) => events.push(e),
      });
      let text = '';
      client.followLog(treeId, { offset: 0, onLines: (lines) => (text += lines) });
      await until(() => snapshots[0]);
      expect(snapshots[0]?.treeId).toBe(treeId);
      await fx.jobs.startTree(treeId);
      await until(() => events.find((e) => e.kind === 'state') ?? undefined);
      const logger = fx.jobs.logs.openLogger(treeId);
      logger.log.info('streamed line');
      await logger.close();
      await until(() => (text.includes('streamed line') ? true : undefined));
    } finally {
      await client.close();
    }
  });

  it("refuses to stream another workspace's tree and log, and streams them to the super token", async () => {
    const treeId = await fx.scratchTree(fx.workspaceA.id);
    const errorsOf = async (caller: CallerName) => {
      const client = new JobStreamClient({
        url: streamUrl,
        token: fx.authorization(caller)?.replace(/^Bearer /, ''),
      });
      const codes: string[] = [];
      const snapshots: TreeRecord[] = [];
      let text: string | undefined;
      try {
        client.followTree(treeId, {
          onSnapshot: (tree) => snapshots.push(tree),
          onEvent: () => {},
          onError: (error) => codes.push(`tree ${error.code}`),
        });
        client.followLog(treeId, {
          offset: 0,
          onLines: (lines) => (text = (text ?? '') + lines),
          onError: (error) => codes.push(`log ${error.code}`),
        });
        await until(() =>
          codes.length === 2 || (snapshots.length > 0 && text !== undefined) ? true : undefined,
        );
      } finally {
        await client.close();
      }
      return { codes: codes.sort(), snapshots: snapshots.length };
    };
    const logger = fx.jobs.logs.openLogger(treeId);
    logger.log.info('private line');
    await logger.close();
    expect(await errorsOf('wrongWorkspace')).toEqual({
      codes: ['log E_API_FORBIDDEN', 'tree E_API_FORBIDDEN'],
      snapshots: 0,
    });
    expect(await errorsOf('super')).toEqual({ codes: [], snapshots: 1 });
  });

  it('deletes an application, even with a RUNNING version, with a job tree (202)', async () => {
    const created = await fx.request('POST', `${API_PREFIX}/workspaces/${fx.workspaceA.id}/applications`, {
      as: 'rightWorkspace',
      body: { name: 'busy-app' },
    });
    expect(created.status, created.text).toBe(201);
    const app = created.body.data;
    expect(app).toMatchObject({
      name: 'busy-app',
      manifestPath: 'manifest.yml',
      workspaceId: fx.workspaceA.id,
    });
    const duplicate = await fx.request('POST', `${API_PREFIX}/workspaces/${fx.workspaceA.id}/applications`, {
      as: 'rightWorkspace',
      body: { name: 'busy-app' },
    });
    expect(duplicate.status).toBe(409);
    await fx.model.versions.create({ applicationId: app.id, scmName: 'test', state: 'RUNNING' });
    // Deleting stops what runs (a job tree), even a RUNNING version: nothing runs here.
    const deleted = await fx.request('DELETE', `${API_PREFIX}/applications/${app.id}`, {
      as: 'rightWorkspace',
    });
    expect(deleted.status, deleted.text).toBe(202);
    const tree = await fx.jobs.waitForTree(deleted.body.data.treeId);
    expect(tree.jobs[0]?.state).toBe('SUCCESS');
    expect((await fx.model.versions.list({ applicationId: app.id })).length).toBe(0);
    const gone = await fx.request('GET', `${API_PREFIX}/applications/${app.id}`, { as: 'super' });
    expect(gone.status).toBe(404);
  });

  it('shows service credentials only to holders of SERVICE_CREDENTIAL_VIEW', async () => {
    await fx.model.services.create({
      workspaceId: fx.workspaceB.id,
      name: `db-${Date.now()}`,
      provider: 'test.db',
      credentials: { password: 'secret' },
    });
    const viewer = await fx.model.roles.create({ name: `svc-${Date.now()}`, permissions: ['SERVICE_VIEW'] });
    const allocation = await fx.model.roles.allocate({
      userId: fx.users.noRole.id,
      roleId: viewer.id,
      workspaceId: fx.workspaceB.id,
    });
    try {
      const plain = await fx.request('GET', `${API_PREFIX}/workspaces/${fx.workspaceB.id}/services`, {
        as: 'noRole',
      });
      expect(plain.status, plain.text).toBe(200);
      expect(plain.body.data.length).toBeGreaterThan(0);
      expect(plain.text).not.toContain('secret');
      const full = await fx.request('GET', `${API_PREFIX}/workspaces/${fx.workspaceB.id}/services`, {
        as: 'wrongWorkspace',
      });
      expect(full.text).toContain('secret');
    } finally {
      await fx.model.roles.unallocate(allocation.id);
    }
  });
});
