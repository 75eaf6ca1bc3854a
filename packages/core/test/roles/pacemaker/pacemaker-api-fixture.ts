import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  apiKeyAuthPlugin,
  hashPassword,
  internalAuthPlugin,
  nodeTokenAuthPlugin,
  superTokenAuthPlugin,
} from '../../../src/auth';
import { createJobEngine, createSqlJobStore, type JobEngine } from '../../../src/jobs';
import { createKernel, definePlugin, KERNEL_API_VERSION, type Kernel } from '../../../src/kernel';
import {
  type Application,
  createModel,
  type Model,
  type ModelOptions,
  type Role,
  type User,
  type Workspace,
} from '../../../src/model';
import { remoteHeartJobsPlugin } from '../../../src/roles/heart';
import { createPacemakerApi, NodeRegistry, type PacemakerApi } from '../../../src/roles/pacemaker';
import {
  defaultPlacementPlugin,
  deployPlugin,
  VersionActions,
  type VersionTrees,
} from '../../../src/roles/pacemaker/deploy';
import { MemoryRouterStatsStore, type RouterStatsStore, RoutingTable } from '../../../src/roles/router';
import { TenantUsers } from '../../../src/tenancy';
import { TEST_COST } from '../../node/node-test-helpers';

export const SUPER_TOKEN = 'super-token-0123456789abcdef0123456789';
export const NODE_TOKEN = 'node-token-0123456789abcdef0123456789ab';
export const PASSWORD = 'correct horse battery staple';

/** The `Authorization` header of HTTP basic credentials. */
export const basicAuthorization = (login: string, password: string) =>
  `Basic ${Buffer.from(`${login}:${password}`).toString('base64')}`;

/** The callers every route is tried with. */
export const CALLERS = ['anonymous', 'super', 'node', 'noRole', 'wrongWorkspace', 'rightWorkspace'] as const;
export type CallerName = (typeof CALLERS)[number];

export interface ApiResponse {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: response bodies are read loosely in tests
  body: any;
  text: string;
}

export interface RequestOptions {
  as?: CallerName;
  authorization?: string;
  body?: unknown;
  /** Sent as is (already serialised), with `contentType`. */
  rawBody?: string;
  contentType?: string;
}

/** A pacemaker API on a real loopback port, over a model and job engine on SQLite files of its own. */
export interface ApiFixture {
  readonly url: string;
  readonly api: PacemakerApi;
  readonly model: Model;
  readonly jobs: JobEngine;
  readonly kernel: Kernel;
  /** The node registry behind the node routes (not swept: no timer runs). */
  readonly nodes: NodeRegistry;
  /** The routing table the deploy jobs write (cluster hostname `paasmaker.test`). */
  readonly routing: RoutingTable;
  /** Where the stats routes read (in memory unless the fixture was given a store). */
  readonly routerStats: RouterStatsStore;
  /** A role with every permission, held by `rightWorkspace` on `workspaceA` and `wrongWorkspace` on `workspaceB`. */
  readonly roleAll: Role;
  readonly workspaceA: Workspace;
  readonly workspaceB: Workspace;
  readonly applicationA: Application;
  readonly users: Record<'noRole' | 'wrongWorkspace' | 'rightWorkspace' | 'target', User>;
  /** A job tree tagged with workspace A (never started). */
  readonly treeA: string;
  /** A job tree tagged with workspace B (never started). */
  readonly treeB: string;
  /** Deploy folders: uploads, stored packages (one stored as `packageName`), instance logs. */
  readonly deployFolders: { uploads: string; packages: string; logs: string };
  readonly packageName: string;
  /** The `Authorization` header value of a caller (undefined for anonymous). */
  authorization(caller: CallerName): string | undefined;
  request(method: string, route: string, options?: RequestOptions): Promise<ApiResponse>;
  /** A new workspace on which `rightWorkspace` holds every permission (and `wrongWorkspace` none). */
  scratchWorkspace(): Promise<Workspace>;
  /** A new never-started tree tagged with the workspace. */
  scratchTree(workspaceId: number, tags?: Record<string, string>): Promise<string>;
  close(): Promise<void>;
}

const noopJobs = definePlugin({
  name: 'test.jobs.noop',
  version: '1.0.0',
  apiVersion: KERNEL_API_VERSION,
  setup(kernel) {
    kernel.hooks.jobType.for('test.noop').tap('test.jobs.noop', () => ({
      parametersSchema: { type: 'object' },
      run: async () => ({ summary: 'Did nothing.' }),
    }));
  },
});

/**
 * Starts a pacemaker API for one test file; `model` defaults to a SQLite file in a temporary
 * folder, `routerStats` to a store in memory.
 */
export async function startApiFixture(
  modelOptions?: ModelOptions,
  options: { routerStats?: RouterStatsStore } = {},
): Promise<ApiFixture> {
  const routerStats = options.routerStats ?? new MemoryRouterStatsStore();
  const folder = await mkdtemp(path.join(tmpdir(), 'pm-api-'));
  const model = await createModel(modelOptions ?? { filename: path.join(folder, 'model.db') });
  const routing = new RoutingTable();
  let trees: VersionTrees | undefined;
  const kernel = await createKernel({
    plugins: [
      { plugin: superTokenAuthPlugin, options: { token: SUPER_TOKEN } },
      { plugin: nodeTokenAuthPlugin, options: { token: NODE_TOKEN } },
      apiKeyAuthPlugin(model),
      internalAuthPlugin(model),
      noopJobs,
      defaultPlacementPlugin,
      // A pacemaker without a heart of its own: heart jobs are created here, run on the hearts.
      remoteHeartJobsPlugin,
      deployPlugin(
        {
          model,
          routing,
          clusterHostname: 'paasmaker.test',
          workFolder: path.join(folder, 'work'),
          tenants: new TenantUsers(folder, { mode: 'single-tenant' }),
          jobNodes: () => jobs.knownNodes(),
        },
        (built) => {
          trees = built;
        },
      ),
    ],
  });
  const store = createSqlJobStore({ filename: path.join(folder, 'jobs.db') });
  const jobs = await createJobEngine({ kernel, store, logDirectory: path.join(folder, 'logs') });
  const nodes = new NodeRegistry({ model, kernel, reportIntervalMs: 60_000 });
  const deployFolders = {
    uploads: path.join(folder, 'uploads'),
    packages: path.join(folder, 'packages'),
    logs: path.join(folder, 'instance-logs'),
  };
  for (const deployFolder of Object.values(deployFolders)) await mkdir(deployFolder, { recursive: true });
  const packageName = `${'ab'.repeat(32)}.tar.gz`;
  await writeFile(path.join(deployFolders.packages, packageName), 'package bytes');
  if (!trees) throw new Error('the deploy plugin did not hand back its tree builder');
  const actions = new VersionActions({ model, jobs, trees, pacemakerNode: jobs.nodeId });
  const api = createPacemakerApi({
    kernel,
    model,
    jobs,
    nodes,
    routerStats,
    deploy: {
      actions,
      uploadFolder: deployFolders.uploads,
      packageFolder: deployFolders.packages,
      clusterHostname: 'paasmaker.test',
      publicUrl: (hostname) => `http://${hostname}:8080/`,
      instanceLogFile: (uuid) => path.join(deployFolders.logs, `${uuid}.log`),
    },
  });

  const suffix = randomUUID().slice(0, 8);
  const makeUser = async (login: string) =>
    model.users.create({
      login: `${login}-${suffix}`,
      email: `${login}-${suffix}@example.com`,
      name: login,
      ...(await hashPassword(PASSWORD, TEST_COST)),
    });
  const roleAll = await model.roles.create({ name: `all-${suffix}`, permissions: 'ALL' });
  const workspaceA = await model.workspaces.create({ name: `A ${suffix}`, stub: `a-${suffix}` });
  const workspaceB = await model.workspaces.create({ name: `B ${suffix}`, stub: `b-${suffix}` });
  const applicationA = await model.applications.create({ workspaceId: workspaceA.id, name: 'shop' });
  const users = {
    noRole: await makeUser('norole'),
    wrongWorkspace: await makeUser('wrong'),
    rightWorkspace: await makeUser('right'),
    target: await makeUser('target'),
  };
  await model.roles.allocate({
    userId: users.rightWorkspace.id,
    roleId: roleAll.id,
    workspaceId: workspaceA.id,
  });
  await model.roles.allocate({
    userId: users.wrongWorkspace.id,
    roleId: roleAll.id,
    workspaceId: workspaceB.id,
  });
  const keys: Record<string, string> = {};
  for (const name of ['noRole', 'wrongWorkspace', 'rightWorkspace'] as const)
    keys[name] = (await model.users.issueApiKey(users[name].id)).key;
  const authorizations: Record<CallerName, string | undefined> = {
    anonymous: undefined,
    super: `Bearer ${SUPER_TOKEN}`,
    node: `Bearer ${NODE_TOKEN}`,
    noRole: `Bearer ${keys.noRole}`,
    wrongWorkspace: `Bearer ${keys.wrongWorkspace}`,
    rightWorkspace: `Bearer ${keys.rightWorkspace}`,
  };

  const scratchTree = (workspaceId: number, tags: Record<string, string> = {}) =>
    jobs.createTree(
      { type: 'test.noop', title: 'scratch' },
      { tags: { workspace: String(workspaceId), ...tags }, start: false },
    );
  const treeA = await scratchTree(workspaceA.id, { suite: suffix });
  const treeB = await scratchTree(workspaceB.id, { suite: suffix });
  const url = await api.listen();

  return {
    url,
    api,
    model,
    jobs,
    kernel,
    nodes,
    routing,
    routerStats,
    roleAll,
    workspaceA,
    workspaceB,
    applicationA,
    users,
    treeA,
    treeB,
    deployFolders,
    packageName,
    authorization: (caller) => authorizations[caller],
    async request(method, route, options = {}) {
      const headers: Record<string, string> = {};
      const authorization = options.authorization ?? authorizations[options.as ?? 'anonymous'];
      if (authorization) headers.authorization = authorization;
      let body: string | undefined;
      if (options.rawBody !== undefined) {
        body = options.rawBody;
        headers['content-type'] = options.contentType ?? 'application/json';
      } else if (options.body !== undefined) {
        body = JSON.stringify(options.body);
        headers['content-type'] = 'application/json';
      }
      const response = await fetch(`${url}${route}`, { method, headers, body });
      const text = await response.text();
      let parsed: unknown;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        parsed = undefined;
      }
      return { status: response.status, body: parsed, text };
    },
    async scratchWorkspace() {
      const id = randomUUID().slice(0, 8);
      const workspace = await model.workspaces.create({ name: `scratch ${id}`, stub: `s-${id}` });
      await model.roles.allocate({
        userId: users.rightWorkspace.id,
        roleId: roleAll.id,
        workspaceId: workspace.id,
      });
      return workspace;
    },
    scratchTree,
    async close() {
      await api.close();
      await nodes.close();
      await jobs.close();
      await store.close();
      await kernel.close();
      await model.close();
      await rm(folder, { recursive: true, force: true });
    },
  };
}
