import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PaasmakerError } from '../../src/kernel/errors';
import {
  createModel,
  HostnameClaimedError,
  type Model,
  modelTables,
  PERMISSIONS,
  rollbackModel,
  WorkspaceRepository,
} from '../../src/model';
import { type ModelBackend, modelBackends, unique } from './model-backends';

async function rejection(promise: Promise<unknown>): Promise<PaasmakerError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(PaasmakerError);
    expect((error as Error).message).not.toMatch(/\b(insert into|select|update \S+ set|delete from)\b/i);
    return error as PaasmakerError;
  }
  throw new Error('expected a rejection');
}

const dataTables = Object.values(modelTables).filter((table) => table !== modelTables.migrations);

describe.each(modelBackends)('organisation model on $name', ({ open }) => {
  let backend: ModelBackend;
  let model: Model;

  beforeAll(async () => {
    backend = await open();
    model = await createModel(backend.options);
  });

  afterAll(async () => {
    await model?.close();
    await backend?.cleanUp();
  });

  async function application(name = unique('app')) {
    const workspace = await model.workspaces.create({ name: unique('ws'), stub: unique('stub') });
    return model.applications.create({ workspaceId: workspace.id, name });
  }

  it('migrates down (every table gone) and up again', async () => {
    for (const table of dataTables) expect(await model.knex.schema.hasTable(table)).toBe(true);
    await rollbackModel(model.knex);
    for (const table of dataTables) expect(await model.knex.schema.hasTable(table)).toBe(false);
    const again = await createModel({ knex: model.knex });
    for (const table of dataTables) expect(await model.knex.schema.hasTable(table)).toBe(true);
    await again.close(); // a borrowed knex stays open
    expect((await model.workspaces.list()).length).toBe(0);
  });

  it('keeps workspace names and stubs unique, naming the field', async () => {
    const name = unique('ws');
    const stub = unique('stub');
    const workspace = await model.workspaces.create({
      name,
      stub,
      tags: { team: 'a', nested: { n: [1, 2] } },
    });
    expect(workspace).toMatchObject({ name, stub, tags: { team: 'a', nested: { n: [1, 2] } } });
    expect(workspace.createdAt).toBeInstanceOf(Date);
    const byName = await rejection(model.workspaces.create({ name, stub: unique('stub') }));
    expect(byName.code).toBe('E_MODEL_CONFLICT');
    expect(byName.message).toContain('workspace name');
    const byStub = await rejection(model.workspaces.create({ name: unique('ws'), stub }));
    expect(byStub.code).toBe('E_MODEL_CONFLICT');
    expect(byStub.message).toContain('workspace stub');
    const updated = await model.workspaces.update(workspace.id, { tags: { team: 'b' } });
    expect(updated).toMatchObject({ name, tags: { team: 'b' } });
    expect(await model.workspaces.findByStub(stub)).toEqual(updated);
  });

  it('builds a repository straight from a knex instance', async () => {
    const workspaces = new WorkspaceRepository(model.knex);
    const created = await workspaces.create({ name: unique('ws'), stub: unique('stub') });
    expect(await model.workspaces.get(created.id)).toEqual(created);
  });

  it('reports missing and malformed ids as not found', async () => {
    expect((await rejection(model.workspaces.get(999_999))).code).toBe('E_MODEL_NOT_FOUND');
    expect((await rejection(model.workspaces.get(Number.NaN))).code).toBe('E_MODEL_NOT_FOUND');
    expect((await rejection(model.applications.update(1.5, { name: 'x' }))).code).toBe('E_MODEL_NOT_FOUND');
    expect((await rejection(model.nodes.delete(999_999))).code).toBe('E_MODEL_NOT_FOUND');
    const orphan = await rejection(model.applications.create({ workspaceId: 999_999, name: 'x' }));
    expect(orphan.code).toBe('E_MODEL_NOT_FOUND');
    expect((await rejection(model.versions.create({ applicationId: 999_999, scmName: 'git' }))).code).toBe(
      'E_MODEL_NOT_FOUND',
    );
  });

  it('keeps application names unique per workspace only', async () => {
    const app = await application('web');
    const clash = await rejection(model.applications.create({ workspaceId: app.workspaceId, name: 'web' }));
    expect(clash.code).toBe('E_MODEL_CONFLICT');
    expect(clash.message).toContain('application name in its workspace');
    expect((await application('web')).name).toBe('web');
    expect(app.manifestPath).toBe('manifest.yml');
  });

  it("numbers versions 1, 2, 3 and never reuses a deleted version's number", async () => {
    const app = await application();
    const v1 = await model.versions.create({
      applicationId: app.id,
      scmName: 'git',
      scmParameters: { url: 'x' },
    });
    const v2 = await model.versions.create({ applicationId: app.id, scmName: 'git', scmRevision: 'abc' });
    expect([v1.number, v2.number]).toEqual([1, 2]);
    expect(v1).toMatchObject({
      state: 'NEW',
      isCurrent: false,
      scmParameters: { url: 'x' },
      scmRevision: null,
    });
    await model.versions.delete(v2.id);
    expect((await model.versions.create({ applicationId: app.id, scmName: 'git' })).number).toBe(3);
    expect((await model.versions.update(v1.id, { state: 'READY' })).state).toBe('READY');
    const invalid = await rejection(model.versions.update(v1.id, { state: 'BROKEN' as never }));
    expect(invalid.code).toBe('E_MODEL_INVALID');
  });

  it('numbers versions created concurrently without gaps or repeats, also from a second model', async () => {
    const app = await application();
    const other = await createModel(backend.options);
    try {
      const created = await Promise.all(
        Array.from({ length: 30 }, (_, i) =>
          (i % 2 ? other : model).versions.create({ applicationId: app.id, scmName: 'git' }),
        ),
      );
      expect(created.map((version) => version.number).sort((a, b) => a - b)).toEqual(
        Array.from({ length: 30 }, (_, i) => i + 1),
      );
    } finally {
      await other.close();
    }
  });

  it('has at most one current version per application, enforced by the database', async () => {
    const app = await application();
    const [v1, v2, v3] = await Promise.all(
      [1, 2, 3].map(() => model.versions.create({ applicationId: app.id, scmName: 'git' })),
    );
    if (!v1 || !v2 || !v3) throw new Error('versions missing');
    await model.versions.makeCurrent(v1.id);
    expect((await model.versions.current(app.id))?.id).toBe(v1.id);
    await model.versions.makeCurrent(v2.id);
    expect((await model.versions.current(app.id))?.id).toBe(v2.id);
    expect((await model.versions.get(v1.id)).isCurrent).toBe(false);
    await Promise.all([v1, v2, v3, v1, v3].map((version) => model.versions.makeCurrent(version.id)));
    expect((await model.versions.list({ applicationId: app.id })).filter((v) => v.isCurrent)).toHaveLength(1);
    // Even a write that bypasses the repository cannot make a second one current.
    await expect(
      model.knex(modelTables.versions).where({ application_id: app.id }).update({ is_current: 1 }),
    ).rejects.toThrow();
    expect((await rejection(model.versions.makeCurrent(999_999))).code).toBe('E_MODEL_NOT_FOUND');
  });

  it('round-trips instance types, hostnames, crons, nodes and instances', async () => {
    const app = await application();
    const version = await model.versions.create({ applicationId: app.id, scmName: 'git' });
    const type = await model.instanceTypes.create({
      versionId: version.id,
      name: 'web',
      runtimeName: 'paasmaker.runtime.node',
      runtimeVersion: '20',
      runtimeParameters: { launch: ['node', 'app.js'], env: { A: 'é ✓' } },
      startup: [{ plugin: 'paasmaker.startup.shell', parameters: { commands: ['npm run migrate'] } }],
      quantity: 2,
      exclusive: true,
    });
    expect(type).toMatchObject({
      runtimeParameters: { launch: ['node', 'app.js'], env: { A: 'é ✓' } },
      startup: [{ plugin: 'paasmaker.startup.shell', parameters: { commands: ['npm run migrate'] } }],
      quantity: 2,
      exclusive: true,
      standalone: false,
      placementParameters: {},
    });
    expect(
      (await rejection(model.instanceTypes.create({ ...type, versionId: version.id }))).message,
    ).toContain('instance type name in its version');
    expect((await rejection(model.instanceTypes.update(type.id, { quantity: 0 }))).code).toBe(
      'E_MODEL_INVALID',
    );
    await model.instanceTypes.setHostnames(type.id, ['b.example.com', 'a.example.com', 'a.example.com']);
    expect(await model.instanceTypes.hostnames(type.id)).toEqual(['a.example.com', 'b.example.com']);
    // The application holds its hostnames: another application's type may not name them.
    const other = await application();
    const otherVersion = await model.versions.create({ applicationId: other.id, scmName: 'git' });
    const otherType = await model.instanceTypes.create({ ...type, versionId: otherVersion.id });
    const claimed = await rejection(
      model.instanceTypes.setHostnames(otherType.id, ['c.example.com', 'b.example.com']),
    );
    expect(claimed).toBeInstanceOf(HostnameClaimedError);
    expect(claimed).toMatchObject({
      code: 'E_MODEL_CONFLICT',
      hostname: 'b.example.com',
      instanceTypeName: 'web',
    });
    expect(await model.instanceTypes.hostnames(otherType.id)).toEqual([]);
    await model.instanceTypes.setHostnames(otherType.id, ['c.example.com']);
    expect(await model.instanceTypes.hostnames(otherType.id)).toEqual(['c.example.com']);
    const cron = await model.instanceTypes.addCron(type.id, { runspec: '*/5 * * * *', uri: '/cron' });
    expect(await model.instanceTypes.crons(type.id)).toEqual([cron]);
    const node = await model.nodes.create({
      name: 'n1',
      route: unique('host'),
      apiPort: 42600,
      roles: { heart: true },
      runtimes: { 'paasmaker.runtime.node': ['20', '22'] },
      tags: { zone: 'a' },
      score: 0.25,
      lastHeardAt: new Date(1_700_000_000_123),
    });
    expect(node).toMatchObject({
      roles: { heart: true, pacemaker: false, router: false },
      state: 'ACTIVE',
      runtimes: { 'paasmaker.runtime.node': ['20', '22'] },
      score: 0.25,
      lastHeardAt: new Date(1_700_000_000_123),
      startedAt: null,
    });
    expect(await model.nodes.findByUuid(node.uuid)).toEqual(node);
    const twin = await rejection(model.nodes.create({ name: 'n2', route: node.route, apiPort: 42600 }));
    expect(twin.message).toContain('node route and API port');
    const instance = await model.instances.create({ instanceTypeId: type.id, nodeId: node.id });
    expect(instance).toMatchObject({ state: 'ALLOCATED', port: null });
    expect(await model.instances.update(instance.id, { port: 42601, state: 'RUNNING' })).toMatchObject({
      port: 42601,
      state: 'RUNNING',
    });
    expect((await rejection(model.instances.update(instance.id, { state: 'GONE' as never }))).code).toBe(
      'E_MODEL_INVALID',
    );
    expect((await model.nodes.update(node.id, { state: 'DOWN' })).state).toBe('DOWN');
    expect(await model.instances.list({ nodeId: node.id, state: 'RUNNING' })).toHaveLength(1);
  });

  it('cascades: an application takes its versions, instance types, hostnames, crons and instances along', async () => {
    const app = await application();
    const version = await model.versions.create({ applicationId: app.id, scmName: 'git' });
    const type = await model.instanceTypes.create({
      versionId: version.id,
      name: 'web',
      runtimeName: 'r',
      runtimeVersion: '1',
    });
    await model.instanceTypes.setHostnames(type.id, ['x.example.com']);
    await model.instanceTypes.addCron(type.id, { runspec: '@daily', uri: '/c' });
    const node = await model.nodes.create({ name: 'n', route: unique('host'), apiPort: 1 });
    const instance = await model.instances.create({ instanceTypeId: type.id, nodeId: node.id });
    const service = await model.services.create({ workspaceId: app.workspaceId, name: 'db', provider: 'p' });
    await model.versions.bindService(version.id, service.id);
    expect(await model.versions.serviceIds(version.id)).toEqual([service.id]);
    expect((await rejection(model.services.delete(service.id))).code).toBe('E_MODEL_CONFLICT');
    const workspaceDelete = await rejection(model.workspaces.delete(app.workspaceId));
    expect(workspaceDelete.code).toBe('E_MODEL_CONFLICT');

    await model.applications.delete(app.id);
    const count = async (table: string, where: Record<string, number>) =>
      Number((await model.knex(table).where(where).count({ n: '*' }))[0]?.n);
    expect(await count(modelTables.versions, { application_id: app.id })).toBe(0);
    expect(await count(modelTables.instanceTypes, { id: type.id })).toBe(0);
    expect(await count(modelTables.hostnames, { instance_type_id: type.id })).toBe(0);
    expect(await count(modelTables.crons, { instance_type_id: type.id })).toBe(0);
    expect(await count(modelTables.instances, { id: instance.id })).toBe(0);
    expect(await count(modelTables.versionServices, { service_id: service.id })).toBe(0);
    await model.services.delete(service.id);

    const type2 = await model.instanceTypes.create({
      versionId: (await model.versions.create({ applicationId: (await application()).id, scmName: 'git' }))
        .id,
      name: 'w',
      runtimeName: 'r',
      runtimeVersion: '1',
    });
    const instance2 = await model.instances.create({ instanceTypeId: type2.id, nodeId: node.id });
    await model.nodes.delete(node.id);
    expect((await rejection(model.instances.get(instance2.id))).code).toBe('E_MODEL_NOT_FOUND');
    await model.workspaces.delete(app.workspaceId);
  });

  it('keeps user logins and emails unique and stores what the hasher gives', async () => {
    const login = unique('user');
    const user = await model.users.create({
      login,
      email: `${login}@example.com`,
      name: 'A User',
      passwordHash: 'c2NyeXB0',
      passwordParameters: { algorithm: 'scrypt', salt: 'abc', N: 16384 },
    });
    expect(user).toMatchObject({
      authSource: 'paasmaker.auth.internal',
      enabled: true,
      passwordParameters: { algorithm: 'scrypt', salt: 'abc', N: 16384 },
      userdata: {},
    });
    const sameLogin = await rejection(model.users.create({ login, email: 'other@example.com', name: 'B' }));
    expect(sameLogin.message).toContain('user login');
    const sameEmail = await rejection(
      model.users.create({ login: unique('u'), email: user.email, name: 'B' }),
    );
    expect(sameEmail.message).toContain('user email');
    expect((await model.users.update(user.id, { enabled: false, userdata: { theme: 'dark' } })).enabled).toBe(
      false,
    );
    expect((await model.users.findByLogin(login))?.userdata).toEqual({ theme: 'dark' });
  });

  it('stores API keys hashed, finds them by hash, and stops finding revoked ones', async () => {
    const login = unique('user');
    const user = await model.users.create({ login, email: `${login}@example.com`, name: 'K' });
    const { key, apiKey } = await model.users.issueApiKey(user.id, 'laptop');
    expect(key.startsWith(`pmk_${apiKey.prefix}_`)).toBe(true);
    const rows = await model.knex(modelTables.apiKeys).where({ id: apiKey.id });
    expect(rows[0].key_hash).toBe(createHash('sha256').update(key).digest('hex'));
    expect(JSON.stringify(rows)).not.toContain(key);
    const found = await model.users.findApiKey(key);
    expect(found?.user.id).toBe(user.id);
    expect(found?.apiKey.lastUsedAt).toBeInstanceOf(Date);
    expect(await model.users.findApiKey(`${key}x`)).toBeUndefined();
    expect((await model.users.revokeApiKey(apiKey.id)).revokedAt).toBeInstanceOf(Date);
    expect(await model.users.findApiKey(key)).toBeUndefined();
    expect(await model.users.apiKeys(user.id)).toHaveLength(1);
  });

  it('computes effective permissions: global grants hold everywhere, workspace grants only there', async () => {
    expect(PERMISSIONS).toHaveLength(26);
    const login = unique('user');
    const user = await model.users.create({ login, email: `${login}@example.com`, name: 'P' });
    const ws1 = await model.workspaces.create({ name: unique('ws'), stub: unique('s') });
    const ws2 = await model.workspaces.create({ name: unique('ws'), stub: unique('s') });
    const viewer = await model.roles.create({
      name: unique('viewer'),
      permissions: ['WORKSPACE_VIEW', 'WORKSPACE_VIEW'],
    });
    const admin = await model.roles.create({ name: unique('admin'), permissions: 'ALL' });
    const lister = await model.roles.create({ name: unique('lister'), permissions: ['NODE_LIST'] });
    expect(viewer.permissions).toEqual(['WORKSPACE_VIEW']);
    expect(admin.permissions).toHaveLength(26);
    expect(
      (await rejection(model.roles.create({ name: unique('r'), permissions: ['NOPE' as never] }))).code,
    ).toBe('E_MODEL_INVALID');
    expect((await rejection(model.roles.create({ name: viewer.name, permissions: [] }))).message).toContain(
      'role name',
    );

    expect(await model.roles.permissionsOf(user.id)).toEqual([]);
    expect(await model.roles.can(user.id, 'WORKSPACE_VIEW', ws1.id)).toBe(false);

    await model.roles.allocate({ userId: user.id, roleId: viewer.id, workspaceId: ws1.id });
    await model.roles.allocate({ userId: user.id, roleId: admin.id, workspaceId: ws2.id });
    const global = await model.roles.allocate({ userId: user.id, roleId: lister.id });
    expect(global.workspaceId).toBeNull();
    expect((await rejection(model.roles.allocate({ userId: user.id, roleId: lister.id }))).code).toBe(
      'E_MODEL_CONFLICT',
    );
    expect(
      (await rejection(model.roles.allocate({ userId: user.id, roleId: viewer.id, workspaceId: ws1.id })))
        .code,
    ).toBe('E_MODEL_CONFLICT');

    expect(await model.roles.can(user.id, 'WORKSPACE_VIEW', ws1.id)).toBe(true);
    expect(await model.roles.can(user.id, 'WORKSPACE_VIEW', ws2.id)).toBe(true);
    expect(await model.roles.can(user.id, 'WORKSPACE_EDIT', ws1.id)).toBe(false);
    expect(await model.roles.can(user.id, 'WORKSPACE_EDIT', ws2.id)).toBe(true);
    // Without a workspace only cluster-wide grants count: a workspace admin cannot manage users.
    expect(await model.roles.can(user.id, 'USER_EDIT')).toBe(false);
    expect(await model.roles.can(user.id, 'WORKSPACE_VIEW')).toBe(false);
    expect(await model.roles.can(user.id, 'NODE_LIST')).toBe(true);
    expect(await model.roles.can(user.id, 'NODE_LIST', ws1.id)).toBe(true);

    await model.roles.update(lister.id, { permissions: ['NODE_DETAIL_VIEW'] });
    expect(await model.roles.can(user.id, 'NODE_LIST')).toBe(false);
    expect(await model.roles.can(user.id, 'NODE_DETAIL_VIEW')).toBe(true);
    await model.workspaces.delete(ws2.id);
    expect(await model.roles.can(user.id, 'WORKSPACE_EDIT', ws2.id)).toBe(false);
    expect(await model.roles.allocations({ userId: user.id })).toHaveLength(2);
    await model.roles.delete(viewer.id);
    expect(await model.roles.allocations({ userId: user.id, workspaceId: ws1.id })).toEqual([]);
    await model.roles.unallocate(global.id);
    expect(await model.roles.permissionsOf(user.id)).toEqual([]);
  });
});
