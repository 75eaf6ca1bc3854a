import type { Permission } from '../../model/permissions';

/** How a route finds the workspace its permission is checked on. */
export type WorkspaceScope =
  /** No workspace: the permission must be held cluster-wide. */
  | { readonly kind: 'cluster' }
  /** Any authenticated caller passes; the handler filters what it returns by the caller's grants. */
  | { readonly kind: 'filtered' }
  /** The workspace id is the path parameter `param`. */
  | { readonly kind: 'workspace'; readonly param: string }
  /** The workspace of the application whose id is the path parameter `param`. */
  | { readonly kind: 'application'; readonly param: string }
  /** The workspace of the application of the version whose id is the path parameter `param`. */
  | { readonly kind: 'version'; readonly param: string }
  /** The workspace of the service whose id is the path parameter `param`. */
  | { readonly kind: 'service'; readonly param: string }
  /** The `workspace:<id>` tag of the job tree holding the job whose id is `param`; cluster-wide if untagged. */
  | { readonly kind: 'job'; readonly param: string }
  /** The permission held on at least one workspace, or cluster-wide. */
  | { readonly kind: 'anyWorkspace' };

/** What a route needs from its caller. The super token passes every rule. */
export interface RouteRule {
  /** `anonymous`: no credentials needed; `user`: users (and the super token); `node`: the node token (and super). */
  readonly callers: 'anonymous' | 'user' | 'node';
  /** The permission a user needs; null when being authenticated is enough. */
  readonly permission: Permission | null;
  /** Where the permission applies. */
  readonly scope: WorkspaceScope;
  /** A path parameter holding a user id: that user passes without the permission (acting on itself). */
  readonly self?: string;
  /** One line for the OpenAPI document. */
  readonly summary: string;
}

/** The key of a route in a {@link RoutePermissionTable}: `GET /workspaces/:workspaceId` (path below `/api/v1`). */
export type RouteKey = `${'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE'} /${string}`;

/** Every API route and what it needs. A route missing here cannot be added (`E_API_ROUTE_UNGUARDED`). */
export type RoutePermissionTable = Readonly<Record<RouteKey, RouteRule>>;

const CLUSTER = { kind: 'cluster' } as const;
const FILTERED = { kind: 'filtered' } as const;
const WORKSPACE = { kind: 'workspace', param: 'workspaceId' } as const;
const APPLICATION = { kind: 'application', param: 'applicationId' } as const;
const VERSION = { kind: 'version', param: 'versionId' } as const;
const SERVICE = { kind: 'service', param: 'serviceId' } as const;
const JOB = { kind: 'job', param: 'jobId' } as const;

/**
 * The built-in routes of the pacemaker API. Node routes (`callers: 'node'`) take the node token;
 * plugins add theirs with `PacemakerApi.addRoute`.
 */
export const ROUTE_PERMISSIONS = {
  'GET /openapi.json': {
    callers: 'anonymous',
    permission: null,
    scope: CLUSTER,
    summary: 'The OpenAPI document of this API',
  },
  'GET /me': {
    callers: 'user',
    permission: null,
    scope: CLUSTER,
    summary: 'Who the caller is, with their permission grants',
  },
  'POST /session': {
    callers: 'user',
    permission: null,
    scope: CLUSTER,
    summary:
      'Log in: start a browser session (an HttpOnly cookie) for the credentials of the Authorization header',
  },
  'GET /session': {
    callers: 'user',
    permission: null,
    scope: CLUSTER,
    summary:
      "The current browser session's CSRF token and expiry; null for a request without the session cookie",
  },
  'DELETE /session': {
    callers: 'user',
    permission: null,
    scope: CLUSTER,
    summary: 'Log out: end the current browser session and clear its cookie',
  },
  'GET /workspaces': {
    callers: 'user',
    permission: 'WORKSPACE_VIEW',
    scope: FILTERED,
    summary: 'Workspaces the caller may view (all with a cluster-wide WORKSPACE_LIST)',
  },
  'POST /workspaces': {
    callers: 'user',
    permission: 'WORKSPACE_EDIT',
    scope: CLUSTER,
    summary: 'Create a workspace',
  },
  'GET /workspaces/:workspaceId': {
    callers: 'user',
    permission: 'WORKSPACE_VIEW',
    scope: WORKSPACE,
    summary: 'One workspace',
  },
  'PATCH /workspaces/:workspaceId': {
    callers: 'user',
    permission: 'WORKSPACE_EDIT',
    scope: WORKSPACE,
    summary: 'Change a workspace',
  },
  'DELETE /workspaces/:workspaceId': {
    callers: 'user',
    permission: 'WORKSPACE_DELETE',
    scope: WORKSPACE,
    summary: 'Delete a workspace that has no applications',
  },
  'GET /workspaces/:workspaceId/applications': {
    callers: 'user',
    permission: 'WORKSPACE_VIEW',
    scope: WORKSPACE,
    summary: 'Applications of a workspace',
  },
  'POST /workspaces/:workspaceId/applications': {
    callers: 'user',
    permission: 'APPLICATION_CREATE',
    scope: WORKSPACE,
    summary: 'Create an application in a workspace',
  },
  'GET /workspaces/:workspaceId/services': {
    callers: 'user',
    permission: 'SERVICE_VIEW',
    scope: WORKSPACE,
    summary: 'Services of a workspace (credentials only with SERVICE_CREDENTIAL_VIEW there)',
  },
  'POST /workspaces/:workspaceId/services': {
    callers: 'user',
    permission: 'APPLICATION_CREATE',
    scope: WORKSPACE,
    summary: 'Create a service in a workspace (state NEW, no credentials until its provider sets them)',
  },
  'DELETE /services/:serviceId': {
    callers: 'user',
    permission: 'APPLICATION_DELETE',
    scope: SERVICE,
    summary: 'Delete a service no version is bound to',
  },
  'GET /applications/:applicationId/versions': {
    callers: 'user',
    permission: 'WORKSPACE_VIEW',
    scope: APPLICATION,
    summary: 'Versions of an application (manifest only with APPLICATION_VIEW_MANIFEST there)',
  },
  'GET /versions/:versionId': {
    callers: 'user',
    permission: 'WORKSPACE_VIEW',
    scope: VERSION,
    summary: 'One version (manifest only with APPLICATION_VIEW_MANIFEST on its workspace)',
  },
  'GET /applications/:applicationId': {
    callers: 'user',
    permission: 'WORKSPACE_VIEW',
    scope: APPLICATION,
    summary: 'One application',
  },
  'PATCH /applications/:applicationId': {
    callers: 'user',
    permission: 'APPLICATION_CREATE',
    scope: APPLICATION,
    summary: 'Change an application',
  },
  'DELETE /applications/:applicationId': {
    callers: 'user',
    permission: 'APPLICATION_DELETE',
    scope: APPLICATION,
    summary: 'Delete an application: stop and remove its instances, hostnames and packages, then its rows',
  },
  'POST /workspaces/:workspaceId/deploys': {
    callers: 'user',
    permission: 'APPLICATION_CREATE',
    scope: WORKSPACE,
    summary:
      'Deploy: create a version from source (git URL, path or upload) and, by default, make it current',
  },
  'POST /workspaces/:workspaceId/uploads': {
    callers: 'user',
    permission: 'FILE_UPLOAD',
    scope: WORKSPACE,
    summary: 'Upload a source archive (.tar.gz) to deploy with paasmaker.scm.upload',
  },
  'POST /versions/:versionId/register': {
    callers: 'user',
    permission: 'APPLICATION_DEPLOY',
    scope: VERSION,
    summary: "Register a version's instances on hearts (job tree id)",
  },
  'POST /versions/:versionId/start': {
    callers: 'user',
    permission: 'APPLICATION_DEPLOY',
    scope: VERSION,
    summary: "Start a version's instances (job tree id)",
  },
  'POST /versions/:versionId/stop': {
    callers: 'user',
    permission: 'APPLICATION_DEPLOY',
    scope: VERSION,
    summary: "Stop a version's instances (job tree id)",
  },
  'POST /versions/:versionId/current': {
    callers: 'user',
    permission: 'APPLICATION_ROUTING',
    scope: VERSION,
    summary: 'Make a version current, then stop the previous one (job tree id)',
  },
  'POST /versions/:versionId/deregister': {
    callers: 'user',
    permission: 'APPLICATION_DEPLOY',
    scope: VERSION,
    summary: "Remove a stopped version's instances from their hearts (job tree id)",
  },
  'DELETE /versions/:versionId': {
    callers: 'user',
    permission: 'APPLICATION_DELETE',
    scope: VERSION,
    summary: 'Delete a version that is neither current nor running (job tree id)',
  },
  'GET /versions/:versionId/instance-types': {
    callers: 'user',
    permission: 'WORKSPACE_VIEW',
    scope: VERSION,
    summary: "A version's instance types and their quantities",
  },
  'PATCH /versions/:versionId/instance-types/:instanceTypeId': {
    callers: 'user',
    permission: 'APPLICATION_CREATE',
    scope: VERSION,
    summary:
      'Scale an instance type: set its quantity; a running version starts or retires instances to match (job tree id, or null)',
  },
  'POST /applications/:applicationId/rollback': {
    callers: 'user',
    permission: 'APPLICATION_ROUTING',
    scope: APPLICATION,
    summary: 'Make the version before the current one current again (job tree id)',
  },
  'GET /applications/:applicationId/config': {
    callers: 'user',
    permission: 'APPLICATION_DEPLOY',
    scope: APPLICATION,
    summary: "An application's config vars",
  },
  'PATCH /applications/:applicationId/config': {
    callers: 'user',
    permission: 'APPLICATION_DEPLOY',
    scope: APPLICATION,
    summary: 'Set (or, with null, unset) config vars; instances get them when next started',
  },
  'GET /applications/:applicationId/instances': {
    callers: 'user',
    permission: 'WORKSPACE_VIEW',
    scope: APPLICATION,
    summary: "An application's instances and the URLs it answers on",
  },
  'GET /applications/:applicationId/instances/:instanceId/log': {
    callers: 'user',
    permission: 'WORKSPACE_VIEW',
    scope: APPLICATION,
    summary: "An instance's output from a byte offset (X-Next-Offset says where to go on)",
  },
  'GET /packages/:name': {
    callers: 'node',
    permission: null,
    scope: CLUSTER,
    summary: 'A stored version package, for hearts (node token)',
  },
  'GET /users': { callers: 'user', permission: 'USER_LIST', scope: CLUSTER, summary: 'Every user' },
  'POST /users': {
    callers: 'user',
    permission: 'USER_EDIT',
    scope: CLUSTER,
    summary: 'Create a user with a local password',
  },
  'GET /users/:userId': {
    callers: 'user',
    permission: 'USER_LIST',
    scope: CLUSTER,
    self: 'userId',
    summary: 'One user',
  },
  'PATCH /users/:userId': {
    callers: 'user',
    permission: 'USER_EDIT',
    scope: CLUSTER,
    summary: 'Change a user (a new password is hashed)',
  },
  'DELETE /users/:userId': {
    callers: 'user',
    permission: 'USER_EDIT',
    scope: CLUSTER,
    summary: 'Delete a user with their API keys and role allocations',
  },
  'GET /users/:userId/api-keys': {
    callers: 'user',
    permission: 'USER_EDIT',
    scope: CLUSTER,
    self: 'userId',
    summary: "A user's API keys (never the keys themselves)",
  },
  'POST /users/:userId/api-keys': {
    callers: 'user',
    permission: 'USER_EDIT',
    scope: CLUSTER,
    self: 'userId',
    summary: 'Issue an API key; the response holds the key, once',
  },
  'DELETE /users/:userId/api-keys/:apiKeyId': {
    callers: 'user',
    permission: 'USER_EDIT',
    scope: CLUSTER,
    self: 'userId',
    summary: 'Revoke an API key',
  },
  'GET /roles': { callers: 'user', permission: 'ROLE_LIST', scope: CLUSTER, summary: 'Every role' },
  'POST /roles': { callers: 'user', permission: 'ROLE_EDIT', scope: CLUSTER, summary: 'Create a role' },
  'GET /roles/:roleId': { callers: 'user', permission: 'ROLE_LIST', scope: CLUSTER, summary: 'One role' },
  'PATCH /roles/:roleId': {
    callers: 'user',
    permission: 'ROLE_EDIT',
    scope: CLUSTER,
    summary: 'Change a role',
  },
  'DELETE /roles/:roleId': {
    callers: 'user',
    permission: 'ROLE_EDIT',
    scope: CLUSTER,
    summary: 'Delete a role and its allocations',
  },
  'GET /role-allocations': {
    callers: 'user',
    permission: 'ROLE_ASSIGN',
    scope: CLUSTER,
    summary: 'Role allocations, filtered by user, role or workspace',
  },
  'POST /role-allocations': {
    callers: 'user',
    permission: 'ROLE_ASSIGN',
    scope: CLUSTER,
    summary: 'Give a role to a user on a workspace or cluster-wide',
  },
  'DELETE /role-allocations/:allocationId': {
    callers: 'user',
    permission: 'ROLE_ASSIGN',
    scope: CLUSTER,
    summary: 'Take a role allocation away',
  },
  'GET /jobs': {
    callers: 'user',
    permission: 'WORKSPACE_VIEW',
    scope: FILTERED,
    summary: 'Job trees with a tag, newest first, limited to workspaces the caller may view',
  },
  'GET /jobs/:jobId/tree': {
    callers: 'user',
    permission: 'WORKSPACE_VIEW',
    scope: JOB,
    summary: 'The whole tree of a job',
  },
  'POST /jobs/:jobId/abort': {
    callers: 'user',
    permission: 'JOB_ABORT',
    scope: JOB,
    summary: 'Abort the tree of a job',
  },
  'GET /jobs/:jobId/log': {
    callers: 'user',
    permission: 'WORKSPACE_VIEW',
    scope: JOB,
    summary: "A job's whole log on this pacemaker, as text/plain",
  },
  'GET /jobs/stream': {
    callers: 'user',
    permission: 'WORKSPACE_VIEW',
    scope: { kind: 'anyWorkspace' },
    summary: 'The job stream websocket (upgrade here); without an upgrade, how to use it',
  },
  'POST /nodes/register': {
    callers: 'node',
    permission: null,
    scope: CLUSTER,
    summary: 'A node registers (or re-registers with its uuid); answers its uuid',
  },
  'POST /nodes/:uuid/report': {
    callers: 'node',
    permission: null,
    scope: CLUSTER,
    summary: 'A node reports its score and instance states',
  },
  'POST /nodes/:uuid/stop': {
    callers: 'node',
    permission: null,
    scope: CLUSTER,
    summary: 'A node says it stops cleanly (STOPPED)',
  },
  'GET /nodes': { callers: 'user', permission: 'NODE_LIST', scope: CLUSTER, summary: 'Every node' },
  'GET /nodes/:uuid': {
    callers: 'user',
    permission: 'NODE_DETAIL_VIEW',
    scope: CLUSTER,
    summary: 'One node, with the stats of its last report',
  },
  'GET /stats/workspaces/:workspaceId': {
    callers: 'user',
    permission: 'WORKSPACE_VIEW',
    scope: WORKSPACE,
    summary: "Router stats of a workspace's instance types, per minute, with totals",
  },
  'GET /stats/applications/:applicationId': {
    callers: 'user',
    permission: 'WORKSPACE_VIEW',
    scope: APPLICATION,
    summary: "Router stats of an application's instance types, per minute, with totals",
  },
  'GET /stats/versions/:versionId': {
    callers: 'user',
    permission: 'WORKSPACE_VIEW',
    scope: VERSION,
    summary: "Router stats of a version's instance types, per minute, with totals",
  },
  'GET /stats/versions/:versionId/instance-types/:instanceTypeId': {
    callers: 'user',
    permission: 'WORKSPACE_VIEW',
    scope: VERSION,
    summary: 'Router stats of one instance type of a version, per minute, with totals',
  },
  'GET /stats/versions/:versionId/instances/:instanceId': {
    callers: 'user',
    permission: 'WORKSPACE_VIEW',
    scope: VERSION,
    summary: 'Router stats of one instance of a version, per minute, with totals',
  },
  'GET /stats/nodes/:uuid': {
    callers: 'user',
    permission: 'NODE_DETAIL_VIEW',
    scope: CLUSTER,
    summary: 'Router stats of the instances on a node (every workspace), per minute, with totals',
  },
  'GET /stats/pacemaker': {
    callers: 'user',
    permission: 'SYSTEM_OVERVIEW',
    scope: CLUSTER,
    summary: 'Router stats of requests to the pacemaker at pacemaker.<cluster hostname>, per minute',
  },
  'GET /stats/uncaught': {
    callers: 'user',
    permission: 'SYSTEM_OVERVIEW',
    scope: CLUSTER,
    summary: 'Router stats of requests no instance was picked for (no route, no instances), per minute',
  },
} as const satisfies RoutePermissionTable;
