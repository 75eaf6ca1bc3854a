import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isPaasmakerError } from '../../../src/kernel';
import { PERMISSIONS } from '../../../src/model';
import {
  API_PREFIX,
  createPacemakerApi,
  type PacemakerApi,
  ROUTE_PERMISSIONS,
} from '../../../src/roles/pacemaker';
import { workspaceCreateBody } from '../../../src/roles/pacemaker/api-schemas';
import {
  type ApiFixture,
  basicAuthorization as basic,
  PASSWORD,
  startApiFixture,
} from './pacemaker-api-fixture';

describe('pacemaker API', () => {
  let fx: ApiFixture;
  const v1 = (path: string) => `${API_PREFIX}${path}`;

  beforeAll(async () => {
    fx = await startApiFixture();
  });
  afterAll(async () => {
    await fx?.close();
  });

  describe('errors', () => {
    it('answers unknown routes and methods with a JSON 404, authenticated or not', async () => {
      for (const [method, path, as] of [
        ['GET', '/nowhere', 'anonymous'],
        ['GET', v1('/nowhere'), 'super'],
        ['PUT', v1('/workspaces'), 'super'],
        ['GET', '/api/v2/workspaces', 'super'],
      ] as const) {
        const response = await fx.request(method, path, { as });
        expect(response.status).toBe(404);
        expect(response.body.error.code).toBe('E_API_ROUTE_NOT_FOUND');
      }
    });

    it('names every invalid field', async () => {
      const response = await fx.request('POST', v1('/workspaces'), {
        as: 'super',
        body: { name: 'x', stub: 'no spaces allowed', extra: 1 },
      });
      expect(response.status).toBe(400);
      expect(response.body.error.code).toBe('E_API_REQUEST_INVALID');
      expect(response.body.error.fields.map((f: { field: string }) => f.field).sort()).toEqual([
        'body/extra',
        'body/name',
        'body/stub',
      ]);
      const missing = await fx.request('POST', v1('/users'), { as: 'super', body: { login: 'someone' } });
      expect(missing.body.error.fields).toEqual(
        expect.arrayContaining([{ field: 'body/password', message: 'is required' }]),
      );
    });

    it('does not coerce body types, but does coerce path ids', async () => {
      const response = await fx.request('POST', v1('/role-allocations'), {
        as: 'super',
        body: { userId: String(fx.users.target.id), roleId: fx.roleAll.id },
      });
      expect(response.status).toBe(400);
      expect(response.body.error.fields[0].field).toBe('body/userId');
    });

    it('maps model errors to 404 and 409', async () => {
      const taken = await fx.request('POST', v1('/workspaces'), {
        as: 'super',
        body: { name: 'Another', stub: fx.workspaceA.stub },
      });
      expect(taken.status).toBe(409);
      expect(taken.body.error.code).toBe('E_MODEL_CONFLICT');
      expect(taken.body.error.message).toMatch(/stub/);
      const inUse = await fx.request('DELETE', v1(`/workspaces/${fx.workspaceA.id}`), { as: 'super' });
      expect(inUse.status).toBe(409);
      const missing = await fx.request('GET', v1('/workspaces/999999'), { as: 'super' });
      expect(missing.status).toBe(404);
      expect(missing.body.error.code).toBe('E_MODEL_NOT_FOUND');
      const unknownRole = await fx.request('POST', v1('/role-allocations'), {
        as: 'super',
        body: { userId: fx.users.target.id, roleId: 999999 },
      });
      expect(unknownRole.status).toBe(404);
    });

    it('tells a workspace-scoped caller 403, not 404, for records that do not exist', async () => {
      const response = await fx.request('GET', v1('/applications/999999'), { as: 'rightWorkspace' });
      expect(response.status).toBe(403);
      const job = await fx.request('GET', v1('/jobs/00000000-0000-4000-8000-000000000000/tree'), {
        as: 'rightWorkspace',
      });
      expect(job.status).toBe(403);
      const asSuper = await fx.request('GET', v1('/jobs/00000000-0000-4000-8000-000000000000/tree'), {
        as: 'super',
      });
      expect(asSuper.status).toBe(404);
      expect(asSuper.body.error.code).toBe('E_JOB_NOT_FOUND');
    });

    it('answers oversized bodies with 413 and other media types with 415', async () => {
      const big = await fx.request('POST', v1('/workspaces'), {
        as: 'super',
        body: { name: 'x'.repeat(70_000), stub: 'big' },
      });
      expect(big.status).toBe(413);
      expect(big.body.error.code).toBe('E_API_BODY_TOO_LARGE');
      const text = await fx.request('POST', v1('/workspaces'), {
        as: 'super',
        rawBody: '<workspace/>',
        contentType: 'application/xml',
      });
      expect(text.status).toBe(415);
      expect(text.body.error.code).toBe('E_API_UNSUPPORTED_MEDIA_TYPE');
    });
  });

  describe('authentication', () => {
    it('accepts HTTP basic with a password and refuses a wrong one', async () => {
      const ok = await fx.request('GET', v1('/me'), {
        authorization: basic(fx.users.target.login, PASSWORD),
      });
      expect(ok.status).toBe(200);
      expect(ok.body.data.user.login).toBe(fx.users.target.login);
      expect(ok.body.data.user.passwordHash).toBeUndefined();
      const wrong = await fx.request('GET', v1('/me'), {
        authorization: basic(fx.users.target.login, 'nope'),
      });
      expect(wrong.status).toBe(401);
    });

    it('tells the super and node tokens apart', async () => {
      expect((await fx.request('GET', v1('/me'), { as: 'super' })).body.data).toEqual({ kind: 'super' });
      expect((await fx.request('GET', v1('/me'), { as: 'node' })).status).toBe(403);
    });
  });

  describe('users, roles and allocations', () => {
    it('creates a user with a hashed password that then logs in', async () => {
      const created = await fx.request('POST', v1('/users'), {
        as: 'super',
        body: { login: 'zoë', email: 'zoe@example.com', name: 'Zoë Ünicode 🚀', password: 'pässwörd-✓-long' },
      });
      expect(created.status, created.text).toBe(400); // logins are ASCII
      const ok = await fx.request('POST', v1('/users'), {
        as: 'super',
        body: { login: 'zoe', email: 'zoe@example.com', name: 'Zoë Ünicode 🚀', password: 'pässwörd-✓-long' },
      });
      expect(ok.status, ok.text).toBe(201);
      expect(ok.text).not.toMatch(/password|scrypt/i);
      expect(ok.body.data.name).toBe('Zoë Ünicode 🚀');
      const stored = await fx.model.users.get(ok.body.data.id);
      expect(stored.passwordHash).toBeTruthy();
      const me = await fx.request('GET', v1('/me'), { authorization: basic('zoe', 'pässwörd-✓-long') });
      expect(me.status).toBe(200);
    });

    it("creates roles from a list or 'ALL', and refuses unknown permissions naming the field", async () => {
      const all = await fx.request('POST', v1('/roles'), {
        as: 'super',
        body: { name: 'admins', permissions: 'ALL' },
      });
      expect(all.status).toBe(201);
      expect(all.body.data.permissions).toHaveLength(PERMISSIONS.length);
      const bad = await fx.request('POST', v1('/roles'), {
        as: 'super',
        body: { name: 'bad', permissions: ['WORKSPACE_VIEW', 'MAKE_COFFEE'] },
      });
      expect(bad.status).toBe(400);
      expect(
        bad.body.error.fields.some((f: { field: string }) => f.field.startsWith('body/permissions')),
      ).toBe(true);
    });

    it('grants and revokes access through role allocations', async () => {
      const { key } = await fx.model.users.issueApiKey(fx.users.target.id);
      const asTarget = { authorization: `Bearer ${key}` };
      const path = v1(`/workspaces/${fx.workspaceA.id}`);
      expect((await fx.request('GET', path, asTarget)).status).toBe(403);
      const viewer = await fx.model.roles.create({ name: 'viewer', permissions: ['WORKSPACE_VIEW'] });
      const granted = await fx.request('POST', v1('/role-allocations'), {
        as: 'super',
        body: { userId: fx.users.target.id, roleId: viewer.id, workspaceId: fx.workspaceA.id },
      });
      expect(granted.status).toBe(201);
      expect((await fx.request('GET', path, asTarget)).status).toBe(200);
      expect((await fx.request('GET', v1(`/workspaces/${fx.workspaceB.id}`), asTarget)).status).toBe(403);
      const revoked = await fx.request('DELETE', v1(`/role-allocations/${granted.body.data.id}`), {
        as: 'super',
      });
      expect(revoked.status).toBe(204);
      expect((await fx.request('GET', path, asTarget)).status).toBe(403);
    });
  });

  describe('jobs', () => {
    it('reads a tree and aborts it once', async () => {
      const treeId = await fx.scratchTree(fx.workspaceA.id);
      const tree = await fx.request('GET', v1(`/jobs/${treeId}/tree`), { as: 'rightWorkspace' });
      expect(tree.status).toBe(200);
      expect(tree.body.data.jobs[0].type).toBe('test.noop');
      const aborted = await fx.request('POST', v1(`/jobs/${treeId}/abort`), { as: 'rightWorkspace' });
      expect(aborted.status, aborted.text).toBe(200);
      expect(aborted.body.data).toEqual({ jobId: treeId, treeId });
      const again = await fx.request('POST', v1(`/jobs/${treeId}/abort`), { as: 'rightWorkspace' });
      expect(again.status).toBe(409);
      expect(again.body.error.code).toBe('E_JOB_FINISHED');
    });
  });

  describe('versions and services', () => {
    it('hides manifests and credentials from callers without APPLICATION_VIEW_MANIFEST or SERVICE_CREDENTIAL_VIEW', async () => {
      const suffix = Math.random().toString(36).slice(2, 8);
      const viewer = await fx.model.users.create({
        login: `viewer-${suffix}`,
        email: `viewer-${suffix}@example.com`,
        name: 'Viewer',
      });
      const role = await fx.model.roles.create({
        name: `view ${suffix}`,
        permissions: ['WORKSPACE_VIEW', 'SERVICE_VIEW'],
      });
      await fx.model.roles.allocate({ userId: viewer.id, roleId: role.id, workspaceId: fx.workspaceA.id });
      const { key } = await fx.model.users.issueApiKey(viewer.id);
      const asViewer = { authorization: `Bearer ${key}` };
      const version = await fx.model.versions.create({
        applicationId: fx.applicationA.id,
        scmName: 'paasmaker.scm.git',
        manifest: 'manifest: { format: 1 }',
      });

      const full = await fx.request('GET', v1(`/versions/${version.id}`), { as: 'rightWorkspace' });
      expect(full.status, full.text).toBe(200);
      expect(full.body.data).toMatchObject({ id: version.id, manifest: 'manifest: { format: 1 }' });
      const seen = await fx.request('GET', v1(`/versions/${version.id}`), asViewer);
      expect(seen.status, seen.text).toBe(200);
      expect(seen.body.data).not.toHaveProperty('manifest');
      const list = await fx.request('GET', v1(`/applications/${fx.applicationA.id}/versions`), asViewer);
      expect(list.body.data.map((v: { id: number }) => v.id)).toContain(version.id);
      expect(list.body.data[0]).not.toHaveProperty('manifest');
      expect((await fx.request('GET', v1('/versions/999999'), asViewer)).status).toBe(403);
      expect((await fx.request('GET', v1('/versions/999999'), { as: 'super' })).status).toBe(404);

      const body = { name: `db-${suffix}`, provider: 'paasmaker.service.parameters', parameters: { a: 1 } };
      expect(
        (await fx.request('POST', v1(`/workspaces/${fx.workspaceA.id}/services`), { ...asViewer, body }))
          .status,
      ).toBe(403);
      const created = await fx.request('POST', v1(`/workspaces/${fx.workspaceA.id}/services`), {
        as: 'rightWorkspace',
        body,
      });
      expect(created.status, created.text).toBe(201);
      expect(created.body.data).toMatchObject({ ...body, state: 'NEW', credentials: {} });
      const taken = await fx.request('POST', v1(`/workspaces/${fx.workspaceA.id}/services`), {
        as: 'rightWorkspace',
        body,
      });
      expect(taken.status).toBe(409);
      const services = await fx.request('GET', v1(`/workspaces/${fx.workspaceA.id}/services`), asViewer);
      const listed = services.body.data.find((s: { id: number }) => s.id === created.body.data.id);
      expect(listed).toMatchObject({ name: body.name });
      expect(listed).not.toHaveProperty('credentials');
      const serviceId = created.body.data.id;
      expect((await fx.request('DELETE', v1(`/services/${serviceId}`), asViewer)).status).toBe(403);
      expect(
        (await fx.request('DELETE', v1(`/services/${serviceId}`), { as: 'wrongWorkspace' })).status,
      ).toBe(403);
      expect(
        (await fx.request('DELETE', v1(`/services/${serviceId}`), { as: 'rightWorkspace' })).status,
      ).toBe(204);
      expect((await fx.request('DELETE', v1(`/services/${serviceId}`), { as: 'super' })).status).toBe(404);
    });
  });

  describe('OpenAPI document', () => {
    it('documents every route of the table with the schemas the routes validate with', async () => {
      const response = await fx.request('GET', v1('/openapi.json'));
      expect(response.status).toBe(200);
      const document = response.body.data;
      expect(document.openapi).toBe('3.1.0');
      const operations = Object.entries(document.paths as Record<string, Record<string, unknown>>).flatMap(
        ([path, methods]) =>
          Object.keys(methods).map(
            (method) =>
              `${method.toUpperCase()} ${path.slice(API_PREFIX.length).replace(/\{(\w+)\}/g, ':$1')}`,
          ),
      );
      expect(operations.sort()).toEqual(Object.keys(ROUTE_PERMISSIONS).sort());
      const create = document.paths[v1('/workspaces')].post;
      expect(create.requestBody.content['application/json'].schema).toEqual(workspaceCreateBody);
      expect(create['x-paasmaker-permission'].permission).toBe('WORKSPACE_EDIT');
    });
  });
});

describe('routes added by plugins', () => {
  let fx: ApiFixture;
  let api: PacemakerApi;
  let url: string;

  beforeAll(async () => {
    fx = await startApiFixture();
    api = createPacemakerApi({ kernel: fx.kernel, model: fx.model, jobs: fx.jobs });
    api.addRoute(
      { method: 'GET', path: '/acme/status', handler: async () => ({ fine: true }) },
      {
        callers: 'user',
        permission: 'SYSTEM_ADMINISTRATION',
        scope: { kind: 'cluster' },
        summary: 'Acme status',
      },
    );
    api.addRoute(
      {
        method: 'GET',
        path: '/acme/workspaces/:workspaceId/boom',
        schema: { params: { type: 'object', properties: { workspaceId: { type: 'integer' } } } },
        handler: async () => {
          throw new Error('secret database password in a message');
        },
      },
      {
        callers: 'user',
        permission: 'WORKSPACE_VIEW',
        scope: { kind: 'workspace', param: 'workspaceId' },
        summary: 'Always fails',
      },
    );
    url = await api.listen();
  });
  afterAll(async () => {
    await api?.close();
    await fx?.close();
  });

  const get = async (path: string, authorization?: string) => {
    const response = await fetch(`${url}${API_PREFIX}${path}`, {
      headers: authorization ? { authorization } : {},
    });
    return { status: response.status, text: await response.text() };
  };

  it('go through the same authentication and permission checks', async () => {
    expect((await get('/acme/status')).status).toBe(401);
    const { key } = await fx.model.users.issueApiKey(fx.users.rightWorkspace.id);
    expect((await get('/acme/status', `Bearer ${key}`)).status).toBe(403);
    expect((await get('/acme/status', 'Bearer super-token-0123456789abcdef0123456789')).status).toBe(200);
    expect((await get(`/acme/workspaces/${fx.workspaceB.id}/boom`, `Bearer ${key}`)).status).toBe(403);
    expect(api.routes['GET /acme/status']?.permission).toBe('SYSTEM_ADMINISTRATION');
  });

  it('answer their bugs with a generic 500 that leaks nothing', async () => {
    const { key } = await fx.model.users.issueApiKey(fx.users.rightWorkspace.id);
    const response = await get(`/acme/workspaces/${fx.workspaceA.id}/boom`, `Bearer ${key}`);
    expect(response.status).toBe(500);
    expect(JSON.parse(response.text).error.code).toBe('E_API_INTERNAL');
    expect(response.text).not.toMatch(/secret|password|\.ts:\d+|at /);
  });

  it('are documented in the OpenAPI document', async () => {
    const document = JSON.parse((await get('/openapi.json')).text).data;
    expect(document.paths[`${API_PREFIX}/acme/status`].get.summary).toBe('Acme status');
  });

  it('cannot be added to the server without a rule', async () => {
    const bare = createPacemakerApi({ kernel: fx.kernel, model: fx.model, jobs: fx.jobs });
    let caught: unknown;
    try {
      bare.server.get(`${API_PREFIX}/sneaky`, async () => 'open');
    } catch (error) {
      caught = error;
    }
    expect(isPaasmakerError(caught, 'E_API_ROUTE_UNGUARDED')).toBe(true);
    await bare.close();
  });
});
