import { randomUUID } from 'node:crypto';
import type { ROUTE_PERMISSIONS, RouteKey } from '../../../src/roles/pacemaker';
import { type ApiFixture, PASSWORD } from './pacemaker-api-fixture';

/** A valid request to one route: the path below `/api/v1` (with its query) and the body. */
export interface SampleRequest {
  path: string;
  body?: unknown;
  /** A body sent as is, with `contentType` (uploads). */
  rawBody?: string;
  contentType?: string;
}

const unique = () => randomUUID().slice(0, 8);

/** A node registration body of its own (a unique name and route). */
export function nodeRegistration(name = `node-${unique()}`) {
  return {
    name,
    route: `${name}.example.test`,
    apiPort: 42500,
    roles: { heart: true },
    runtimes: { 'paasmaker.runtime.node': ['20'] },
    tags: { rack: 'r1' },
    score: 0.25,
  };
}

/** A node registered directly with the fixture's registry; resolves with its UUID. */
export const registeredNode = (fx: ApiFixture) => fx.nodes.register(nodeRegistration());

/**
 * One valid request per route of the table, made fresh for each call so that destructive routes
 * act on records of their own. Workspace-scoped targets are in a workspace the `rightWorkspace`
 * user holds every permission on, and the `wrongWorkspace` user none.
 */
export const ROUTE_SAMPLES: Record<
  keyof typeof ROUTE_PERMISSIONS,
  (fx: ApiFixture) => Promise<SampleRequest>
> = {
  'GET /openapi.json': async () => ({ path: '/openapi.json' }),
  'GET /me': async () => ({ path: '/me' }),
  'POST /session': async () => ({ path: '/session' }),
  'GET /session': async () => ({ path: '/session' }),
  'DELETE /session': async () => ({ path: '/session' }),
  'GET /workspaces': async () => ({ path: '/workspaces' }),
  'POST /workspaces': async () => {
    const id = unique();
    return { path: '/workspaces', body: { name: `new ${id}`, stub: `n-${id}`, tags: { cost: 'x' } } };
  },
  'GET /workspaces/:workspaceId': async (fx) => ({ path: `/workspaces/${fx.workspaceA.id}` }),
  'PATCH /workspaces/:workspaceId': async (fx) => ({
    path: `/workspaces/${(await fx.scratchWorkspace()).id}`,
    body: { tags: { owner: 'patched' } },
  }),
  'DELETE /workspaces/:workspaceId': async (fx) => ({
    path: `/workspaces/${(await fx.scratchWorkspace()).id}`,
  }),
  'GET /workspaces/:workspaceId/applications': async (fx) => ({
    path: `/workspaces/${fx.workspaceA.id}/applications`,
  }),
  'GET /applications/:applicationId': async (fx) => ({ path: `/applications/${fx.applicationA.id}` }),
  'POST /workspaces/:workspaceId/applications': async (fx) => ({
    path: `/workspaces/${fx.workspaceA.id}/applications`,
    body: { name: `app-${unique()}`, manifestPath: 'paasmaker.yml' },
  }),
  'GET /workspaces/:workspaceId/services': async (fx) => ({
    path: `/workspaces/${fx.workspaceA.id}/services`,
  }),
  'POST /workspaces/:workspaceId/services': async (fx) => ({
    path: `/workspaces/${fx.workspaceA.id}/services`,
    body: { name: `svc-${unique()}`, provider: 'paasmaker.service.parameters', parameters: { size: 1 } },
  }),
  'DELETE /services/:serviceId': async (fx) => {
    const service = await fx.model.services.create({
      workspaceId: fx.workspaceA.id,
      name: `d-${unique()}`,
      provider: 'paasmaker.service.parameters',
    });
    return { path: `/services/${service.id}` };
  },
  'GET /applications/:applicationId/versions': async (fx) => ({
    path: `/applications/${fx.applicationA.id}/versions`,
  }),
  'GET /versions/:versionId': async (fx) => {
    const version = await fx.model.versions.create({
      applicationId: fx.applicationA.id,
      scmName: 'paasmaker.scm.git',
      manifest: 'application: { name: shop }',
    });
    return { path: `/versions/${version.id}` };
  },
  'PATCH /applications/:applicationId': async (fx) => {
    const app = await fx.model.applications.create({ workspaceId: fx.workspaceA.id, name: `p-${unique()}` });
    return { path: `/applications/${app.id}`, body: { manifestPath: 'app/manifest.yml' } };
  },
  'DELETE /applications/:applicationId': async (fx) => {
    const app = await fx.model.applications.create({ workspaceId: fx.workspaceA.id, name: `d-${unique()}` });
    return { path: `/applications/${app.id}` };
  },
  'GET /users': async () => ({ path: '/users' }),
  'POST /users': async () => {
    const id = unique();
    return {
      path: '/users',
      body: { login: `u-${id}`, email: `u-${id}@example.com`, name: 'New User', password: PASSWORD },
    };
  },
  'GET /users/:userId': async (fx) => ({ path: `/users/${fx.users.target.id}` }),
  'PATCH /users/:userId': async (fx) => ({ path: `/users/${fx.users.target.id}`, body: { name: 'Renamed' } }),
  'DELETE /users/:userId': async (fx) => {
    const id = unique();
    const user = await fx.model.users.create({
      login: `d-${id}`,
      email: `d-${id}@example.com`,
      name: 'Doomed',
    });
    return { path: `/users/${user.id}` };
  },
  'GET /users/:userId/api-keys': async (fx) => ({ path: `/users/${fx.users.target.id}/api-keys` }),
  'POST /users/:userId/api-keys': async (fx) => ({
    path: `/users/${fx.users.target.id}/api-keys`,
    body: { label: 'laptop' },
  }),
  'DELETE /users/:userId/api-keys/:apiKeyId': async (fx) => {
    const { apiKey } = await fx.model.users.issueApiKey(fx.users.target.id);
    return { path: `/users/${fx.users.target.id}/api-keys/${apiKey.id}` };
  },
  'GET /roles': async () => ({ path: '/roles' }),
  'POST /roles': async () => ({
    path: '/roles',
    body: { name: `role ${unique()}`, permissions: ['WORKSPACE_VIEW', 'JOB_ABORT'] },
  }),
  'GET /roles/:roleId': async (fx) => ({ path: `/roles/${fx.roleAll.id}` }),
  'PATCH /roles/:roleId': async (fx) => {
    const role = await fx.model.roles.create({ name: `r-${unique()}`, permissions: [] });
    return { path: `/roles/${role.id}`, body: { permissions: 'ALL' } };
  },
  'DELETE /roles/:roleId': async (fx) => {
    const role = await fx.model.roles.create({ name: `r-${unique()}`, permissions: [] });
    return { path: `/roles/${role.id}` };
  },
  'GET /role-allocations': async (fx) => ({ path: `/role-allocations?userId=${fx.users.rightWorkspace.id}` }),
  'POST /role-allocations': async (fx) => {
    const role = await fx.model.roles.create({ name: `r-${unique()}`, permissions: ['WORKSPACE_VIEW'] });
    return {
      path: '/role-allocations',
      body: { userId: fx.users.target.id, roleId: role.id, workspaceId: fx.workspaceA.id },
    };
  },
  'DELETE /role-allocations/:allocationId': async (fx) => {
    const role = await fx.model.roles.create({ name: `r-${unique()}`, permissions: [] });
    const allocation = await fx.model.roles.allocate({ userId: fx.users.target.id, roleId: role.id });
    return { path: `/role-allocations/${allocation.id}` };
  },
  'GET /jobs': async (fx) => ({ path: `/jobs?tag=workspace:${fx.workspaceA.id}` }),
  'GET /jobs/:jobId/tree': async (fx) => ({ path: `/jobs/${fx.treeA}/tree` }),
  'POST /jobs/:jobId/abort': async (fx) => ({
    path: `/jobs/${await fx.scratchTree((await fx.scratchWorkspace()).id)}/abort`,
    body: { reason: 'test' },
  }),
  'GET /jobs/:jobId/log': async (fx) => {
    if (!(await fx.jobs.logs.has(fx.treeA))) {
      const logger = fx.jobs.logs.openLogger(fx.treeA);
      logger.log.info('sample log line');
      await logger.close();
    }
    return { path: `/jobs/${fx.treeA}/log` };
  },
  'GET /jobs/stream': async () => ({ path: '/jobs/stream' }),
  'POST /nodes/register': async () => ({ path: '/nodes/register', body: nodeRegistration() }),
  'POST /nodes/:uuid/report': async (fx) => ({
    path: `/nodes/${await registeredNode(fx)}/report`,
    body: { score: 0.5, instances: [], stats: { load: 0.1 } },
  }),
  'POST /nodes/:uuid/stop': async (fx) => ({ path: `/nodes/${await registeredNode(fx)}/stop` }),
  'GET /nodes': async () => ({ path: '/nodes' }),
  'GET /nodes/:uuid': async (fx) => ({ path: `/nodes/${await registeredNode(fx)}` }),
  'POST /workspaces/:workspaceId/deploys': async (fx) => ({
    path: `/workspaces/${fx.workspaceA.id}/deploys`,
    body: {
      scm: 'paasmaker.scm.upload',
      parameters: { location: '/nowhere/app.tar.gz' },
      makeCurrent: false,
    },
  }),
  'POST /workspaces/:workspaceId/uploads': async (fx) => ({
    path: `/workspaces/${fx.workspaceA.id}/uploads`,
    rawBody: 'archive bytes',
    contentType: 'application/gzip',
  }),
  'POST /versions/:versionId/register': async (fx) => ({
    path: `/versions/${(await sampleVersion(fx, 'PREPARED')).id}/register`,
  }),
  'POST /versions/:versionId/start': async (fx) => ({
    path: `/versions/${(await sampleVersion(fx, 'READY')).id}/start`,
  }),
  'POST /versions/:versionId/stop': async (fx) => ({
    path: `/versions/${(await sampleVersion(fx, 'RUNNING')).id}/stop`,
  }),
  'POST /versions/:versionId/current': async (fx) => ({
    path: `/versions/${(await sampleVersion(fx, 'PREPARED')).id}/current`,
  }),
  'POST /versions/:versionId/deregister': async (fx) => ({
    path: `/versions/${(await sampleVersion(fx, 'READY')).id}/deregister`,
  }),
  'DELETE /versions/:versionId': async (fx) => ({
    path: `/versions/${(await sampleVersion(fx, 'PREPARED')).id}`,
  }),
  'GET /versions/:versionId/instance-types': async (fx) => ({
    path: `/versions/${(await sampleInstance(fx)).version.id}/instance-types`,
  }),
  'PATCH /versions/:versionId/instance-types/:instanceTypeId': async (fx) => {
    const version = await sampleVersion(fx, 'PREPARED');
    const type = await sampleInstanceType(fx, version.id);
    return { path: `/versions/${version.id}/instance-types/${type.id}`, body: { quantity: 3 } };
  },
  'POST /applications/:applicationId/rollback': async (fx) => {
    const first = await sampleVersion(fx, 'PREPARED');
    const second = await fx.model.versions.create({
      applicationId: first.applicationId,
      scmName: 'paasmaker.scm.git',
      state: 'RUNNING',
    });
    await fx.model.versions.makeCurrent(second.id);
    return { path: `/applications/${first.applicationId}/rollback` };
  },
  'GET /applications/:applicationId/config': async (fx) => ({
    path: `/applications/${fx.applicationA.id}/config`,
  }),
  'PATCH /applications/:applicationId/config': async (fx) => ({
    path: `/applications/${fx.applicationA.id}/config`,
    body: { vars: { GREETING: 'hello', REMOVED: null } },
  }),
  'GET /applications/:applicationId/instances': async (fx) => ({
    path: `/applications/${fx.applicationA.id}/instances`,
  }),
  'GET /applications/:applicationId/instances/:instanceId/log': async (fx) => {
    const { version, instance } = await sampleInstance(fx);
    return { path: `/applications/${version.applicationId}/instances/${instance.uuid}/log?offset=0` };
  },
  'GET /packages/:name': async (fx) => ({ path: `/packages/${fx.packageName}` }),
  'GET /stats/workspaces/:workspaceId': async (fx) => ({
    path: `/stats/workspaces/${fx.workspaceA.id}?minutes=5`,
  }),
  'GET /stats/applications/:applicationId': async (fx) => ({
    path: `/stats/applications/${fx.applicationA.id}`,
  }),
  'GET /stats/versions/:versionId': async (fx) => ({
    path: `/stats/versions/${(await sampleVersion(fx, 'RUNNING')).id}`,
  }),
  'GET /stats/versions/:versionId/instance-types/:instanceTypeId': async (fx) => {
    const { version, type } = await sampleInstance(fx);
    return { path: `/stats/versions/${version.id}/instance-types/${type.id}` };
  },
  'GET /stats/versions/:versionId/instances/:instanceId': async (fx) => {
    const { version, instance } = await sampleInstance(fx);
    return { path: `/stats/versions/${version.id}/instances/${instance.uuid}` };
  },
  'GET /stats/nodes/:uuid': async (fx) => ({ path: `/stats/nodes/${await registeredNode(fx)}` }),
  'GET /stats/pacemaker': async () => ({ path: '/stats/pacemaker' }),
  'GET /stats/uncaught': async () => ({ path: '/stats/uncaught?minutes=1440' }),
};

/** A running version of its own in workspace A with one instance type and one instance, on a node registered for it. */
async function sampleInstance(fx: ApiFixture) {
  const version = await sampleVersion(fx, 'RUNNING');
  const type = await sampleInstanceType(fx, version.id);
  const node = await fx.model.nodes.findByUuid(await registeredNode(fx));
  if (!node) throw new Error('registered node missing');
  const instance = await fx.model.instances.create({ instanceTypeId: type.id, nodeId: node.id, port: 42601 });
  return { version, type, instance };
}

/** A `web` instance type of a version. */
function sampleInstanceType(fx: ApiFixture, versionId: number) {
  return fx.model.instanceTypes.create({
    versionId,
    name: 'web',
    runtimeName: 'paasmaker.runtime.node',
    runtimeVersion: '20',
  });
}

/** A version of its own in workspace A, in the given state (no instance types: its trees are short). */
async function sampleVersion(fx: ApiFixture, state: 'PREPARED' | 'READY' | 'RUNNING') {
  const app = await fx.model.applications.create({ workspaceId: fx.workspaceA.id, name: `v-${unique()}` });
  return fx.model.versions.create({ applicationId: app.id, scmName: 'paasmaker.scm.git', state });
}

/** The method and path pattern of a table key. */
export function splitKey(key: RouteKey | string): { method: string; pattern: string } {
  const [method = 'GET', pattern = '/'] = key.split(' ');
  return { method, pattern };
}
