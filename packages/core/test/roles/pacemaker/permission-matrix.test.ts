import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RouteKey, RouteRule } from '../../../src/roles/pacemaker';
import { API_PREFIX, ROUTE_PERMISSIONS } from '../../../src/roles/pacemaker';
import { type ModelBackend, modelBackends } from '../../model/model-backends';
import { type ApiFixture, CALLERS, type CallerName, startApiFixture } from './pacemaker-api-fixture';
import { ROUTE_SAMPLES, splitKey } from './route-samples';

/** What the table says a caller gets from a route: success, 401 or 403. */
function expectedOutcome(rule: RouteRule, caller: CallerName): 'ok' | 401 | 403 {
  if (rule.callers === 'anonymous' || caller === 'super') return 'ok';
  if (caller === 'anonymous') return 401;
  if (caller === 'node') return rule.callers === 'node' ? 'ok' : 403;
  if (rule.callers === 'node') return 403;
  if (rule.permission === null || rule.scope.kind === 'filtered') return 'ok';
  // Both workspace users hold every permission on some workspace.
  if (rule.scope.kind === 'anyWorkspace') return caller === 'noRole' ? 403 : 'ok';
  if (caller === 'rightWorkspace' && rule.scope.kind !== 'cluster') return 'ok';
  return 403;
}

describe.each(modelBackends)('pacemaker API permission matrix on $name', (modelBackend) => {
  let fx: ApiFixture;
  let backend: ModelBackend;

  beforeAll(async () => {
    backend = await modelBackend.open();
    fx = await startApiFixture(backend.options);
  });
  afterAll(async () => {
    await fx?.close();
    await backend?.cleanUp();
  });

  it('has a sample request for every route of the table, and a table entry for every sample', () => {
    expect(Object.keys(ROUTE_SAMPLES).sort()).toEqual(Object.keys(fx.api.routes).sort());
  });

  const keys = Object.keys(ROUTE_PERMISSIONS) as (keyof typeof ROUTE_PERMISSIONS)[];
  describe.each(keys)('%s', (key) => {
    it.each(CALLERS)('as %s', async (caller) => {
      const rule = fx.api.routes[key as RouteKey];
      if (!rule) throw new Error(`${key} missing from the table`);
      const { method } = splitKey(key);
      const sample = await ROUTE_SAMPLES[key](fx);
      const response = await fx.request(method, `${API_PREFIX}${sample.path}`, {
        as: caller,
        body: sample.body,
        rawBody: sample.rawBody,
        contentType: sample.contentType,
      });
      const expected = expectedOutcome(rule, caller);
      if (expected === 'ok') {
        expect(response.status, response.text).toBeGreaterThanOrEqual(200);
        expect(response.status, response.text).toBeLessThan(300);
      } else {
        expect(response.status, response.text).toBe(expected);
        expect(response.body.error.code).toBe(expected === 401 ? 'E_API_UNAUTHENTICATED' : 'E_API_FORBIDDEN');
      }
    });
  });

  // A caller without cluster-wide rights must not tell a record of another workspace from one that
  // does not exist: status, code and message are the same, and name no workspace.
  const recordKeys = keys.filter((key) => 'param' in ROUTE_PERMISSIONS[key].scope);
  it.each(recordKeys)('%s answers a foreign record and a missing one alike', async (key) => {
    const rule = ROUTE_PERMISSIONS[key];
    if (!('param' in rule.scope)) throw new Error(`${key} names no record`);
    const { method, pattern } = splitKey(key);
    const sample = await ROUTE_SAMPLES[key](fx);
    const at = pattern.split('/').indexOf(`:${rule.scope.param}`);
    const segments = sample.path.split('/');
    segments[at] = rule.scope.kind === 'job' ? randomUUID() : '999999999';
    const missingPath = segments.join('/');
    const ask = (path: string, caller: CallerName) =>
      fx.request(method, `${API_PREFIX}${path}`, {
        as: caller,
        body: sample.body,
        rawBody: sample.rawBody,
        contentType: sample.contentType,
      });
    for (const caller of ['wrongWorkspace', 'noRole'] as const) {
      const foreign = await ask(sample.path, caller);
      const missing = await ask(missingPath, caller);
      expect(foreign.status, foreign.text).toBe(403);
      expect(missing.status, missing.text).toBe(foreign.status);
      expect(missing.body).toEqual(foreign.body);
      expect(foreign.body.error.message).not.toMatch(/workspace \d/);
    }
    // Cluster-wide callers may learn that an id is unknown.
    if (method === 'GET' && !pattern.includes(':instanceId')) {
      const missing = await ask(missingPath, 'super');
      expect(missing.status, missing.text).toBe(404);
    }
  });

  it('filters the workspace list by the grants of the caller', async () => {
    const ids = async (caller: CallerName) =>
      (
        (await fx.request('GET', `${API_PREFIX}/workspaces`, { as: caller })).body.data as { id: number }[]
      ).map((w) => w.id);
    expect(await ids('noRole')).toEqual([]);
    expect(await ids('wrongWorkspace')).toEqual([fx.workspaceB.id]);
    const right = await ids('rightWorkspace');
    expect(right).toContain(fx.workspaceA.id);
    expect(right).not.toContain(fx.workspaceB.id);
    const all = await ids('super');
    expect(all).toEqual(expect.arrayContaining([fx.workspaceA.id, fx.workspaceB.id, ...right]));

    // A cluster-wide WORKSPACE_LIST sees every workspace, even without WORKSPACE_VIEW anywhere.
    const lister = await fx.model.roles.create({ name: 'lister', permissions: ['WORKSPACE_LIST'] });
    const allocation = await fx.model.roles.allocate({ userId: fx.users.noRole.id, roleId: lister.id });
    expect(await ids('noRole')).toEqual(all);
    await fx.model.roles.unallocate(allocation.id);
  });

  it('filters job listings by workspace', async () => {
    const suite = fx.workspaceA.stub.slice(2);
    const trees = async (caller: CallerName) =>
      (
        (await fx.request('GET', `${API_PREFIX}/jobs?tag=suite:${suite}`, { as: caller })).body.data
          .trees as {
          treeId: string;
        }[]
      )
        .map((t) => t.treeId)
        .sort();
    expect(await trees('noRole')).toEqual([]);
    expect(await trees('wrongWorkspace')).toEqual([fx.treeB]);
    expect(await trees('rightWorkspace')).toEqual([fx.treeA]);
    expect(await trees('super')).toEqual([fx.treeA, fx.treeB].sort());
  });

  it('lets a user manage their own API keys without USER_EDIT, and only their own', async () => {
    const own = fx.users.noRole.id;
    const created = await fx.request('POST', `${API_PREFIX}/users/${own}/api-keys`, {
      as: 'noRole',
      body: { label: 'cli' },
    });
    expect(created.status).toBe(201);
    const { key, apiKey } = created.body.data;
    expect(key).toMatch(/^pmk_/);
    const me = await fx.request('GET', `${API_PREFIX}/me`, { authorization: `Bearer ${key}` });
    expect(me.body.data.user.id).toBe(own);
    const listed = await fx.request('GET', `${API_PREFIX}/users/${own}/api-keys`, { as: 'noRole' });
    expect(JSON.stringify(listed.body)).not.toContain(key);
    const revoked = await fx.request('DELETE', `${API_PREFIX}/users/${own}/api-keys/${apiKey.id}`, {
      as: 'noRole',
    });
    expect(revoked.status).toBe(204);
    expect((await fx.request('GET', `${API_PREFIX}/me`, { authorization: `Bearer ${key}` })).status).toBe(
      401,
    );
    // Someone else's key, through one's own user id, is not found.
    const { apiKey: other } = await fx.model.users.issueApiKey(fx.users.target.id);
    const foreign = await fx.request('DELETE', `${API_PREFIX}/users/${own}/api-keys/${other.id}`, {
      as: 'noRole',
    });
    expect(foreign.status).toBe(404);
  });
});
