import type { TreeRecord, TreeSummary } from '../jobs/job-store';
import { CliError, PacemakerUnreachableError } from './errors';

/** Shapes of the API's records as they arrive over JSON (dates are ISO strings). */
export interface WorkspaceView {
  id: number;
  name: string;
  stub: string;
  tags: Record<string, unknown>;
  createdAt: string;
  updatedAt: string;
}
export interface UserView {
  id: number;
  login: string;
  email: string;
  name: string;
  authSource: string;
  enabled: boolean;
  createdAt: string;
  updatedAt: string;
}
export interface RoleView {
  id: number;
  name: string;
  permissions: string[];
  createdAt: string;
  updatedAt: string;
}
export interface RoleAllocationView {
  id: number;
  userId: number;
  roleId: number;
  workspaceId: number | null;
  createdAt: string;
  updatedAt: string;
}
export interface ApiKeyView {
  id: number;
  userId: number;
  prefix: string;
  label: string;
}
export interface ApplicationView {
  id: number;
  workspaceId: number;
  name: string;
  manifestPath: string;
  createdAt: string;
  updatedAt: string;
}
/** `manifest` is absent without APPLICATION_VIEW_MANIFEST on the workspace. */
export interface VersionView {
  id: number;
  applicationId: number;
  number: number;
  state: string;
  isCurrent: boolean;
  scmName: string;
  scmParameters: Record<string, unknown>;
  scmRevision: string | null;
  manifest?: string | null;
  sourcePath: string | null;
  sourceChecksum: string | null;
  createdAt: string;
  updatedAt: string;
}
/** `credentials` is absent without SERVICE_CREDENTIAL_VIEW on the workspace. */
export interface ServiceView {
  id: number;
  workspaceId: number;
  name: string;
  provider: string;
  parameters: Record<string, unknown>;
  credentials?: Record<string, unknown>;
  state: string;
  createdAt: string;
  updatedAt: string;
}
export interface NodeView {
  id: number;
  uuid: string;
  name: string;
  route: string;
  apiPort: number;
  roles: Record<string, boolean>;
  state: string;
  runtimes: Record<string, string[]>;
  tags: Record<string, unknown>;
  score: number;
  lastHeardAt: string | null;
  startedAt: string | null;
  createdAt: string;
  updatedAt: string;
  /** Detail only: the stats of its last report (null if none since the pacemaker started). */
  stats?: unknown;
}
/** One instance of an application, as `GET /applications/:id/instances` lists it. */
export interface InstanceView {
  uuid: string;
  version: number;
  versionId: number;
  isCurrent: boolean;
  instanceType: string;
  state: string;
  node: string;
  port: number | null;
  url: string | null;
}
export interface ApplicationInstancesView {
  application: string;
  /** Where the current version answers. */
  urls: string[];
  instances: InstanceView[];
}
/** The body of `POST /workspaces/:id/deploys`. */
export interface DeployRequest {
  scm: string;
  parameters: { location: string; branch?: string; revision?: string };
  manifestPath?: string;
  directory?: string;
  makeCurrent?: boolean;
}
export type VersionAction = 'register' | 'start' | 'stop' | 'current' | 'deregister';
export type MeView = { kind: 'user'; user: UserView; grants: unknown[] } | { kind: 'super' | 'node' };
/** Job trees arrive exactly as the engine records them. */
export type TreeView = TreeRecord;
export type TreeSummaryView = TreeSummary;

export type ApiAuth = { bearer: string } | { basic: { login: string; password: string } };

export interface ApiClientOptions {
  /** The pacemaker's base URL (`http://host:port`), without `/api/v1`. */
  url: string;
  auth?: ApiAuth;
  /** Shown in the "cannot reach" error: how to start a pacemaker. */
  startHint?: string;
}

type Query = Record<string, string | number | undefined>;
/** A read's timeout; following a tree raises it for a pacemaker that is slow. */
type ReadOptions = { timeoutMs?: number };

/** Statuses a gateway answers with when the server behind it is down, without a pacemaker error body. */
const GATEWAY_DOWN = new Set([502, 503, 504]);

function parseJson(text: string): unknown {
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return undefined;
  }
}

/** A typed client of the pacemaker HTTP API (`/api/v1`); every failure is a one-line `CliError`. */
export class ApiClient {
  readonly url: string;

  constructor(private readonly options: ApiClientOptions) {
    this.url = options.url.replace(/\/+$/, '');
  }

  /** The bearer token (API key or cluster token) requests carry, if that is how the client authenticates. */
  get bearer(): string | undefined {
    const auth = this.options.auth;
    return auth && 'bearer' in auth ? auth.bearer : undefined;
  }

  async request<T>(
    method: string,
    route: string,
    options: { body?: unknown; query?: Query; timeoutMs?: number } = {},
  ): Promise<T> {
    const { response, text } = await this.send(method, route, {
      query: options.query,
      timeoutMs: options.timeoutMs,
      ...(options.body !== undefined
        ? { body: JSON.stringify(options.body), contentType: 'application/json' }
        : {}),
    });
    const parsed = parseJson(text);
    if (!response.ok) throw this.apiError(response.status, parsed, text);
    if (response.status === 204) return undefined as T;
    if (!parsed || typeof parsed !== 'object' || !('data' in parsed))
      throw new CliError(
        `unexpected answer from ${this.url} (HTTP ${response.status}, not a pacemaker API response): is this the pacemaker's URL?`,
      );
    return (parsed as { data: T }).data;
  }

  /** Sends one request with the client's auth; the body is sent as is. */
  private async send(
    method: string,
    route: string,
    options: {
      body?: string | Uint8Array;
      contentType?: string;
      query?: Query;
      accept?: string;
      timeoutMs?: number;
    } = {},
  ): Promise<{ response: Response; text: string }> {
    const target = new URL(`${this.url}/api/v1${route}`);
    for (const [key, value] of Object.entries(options.query ?? {}))
      if (value !== undefined) target.searchParams.set(key, String(value));
    const headers = this.headers(options.accept ?? 'application/json');
    if (options.contentType) headers['content-type'] = options.contentType;
    const timeoutMs = options.timeoutMs ?? 30_000;
    let response: Response;
    try {
      response = await fetch(target, {
        method,
        headers,
        body: options.body,
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      throw this.unreachable(error, timeoutMs);
    }
    const text = await response.text().catch((error: unknown) => {
      throw this.unreachable(error, timeoutMs);
    });
    return { response, text };
  }

  /** `accept` and the client's auth. */
  private headers(accept: string): Record<string, string> {
    const headers: Record<string, string> = { accept };
    const auth = this.options.auth;
    if (auth && 'bearer' in auth) headers.authorization = `Bearer ${auth.bearer}`;
    else if (auth)
      headers.authorization = `Basic ${Buffer.from(`${auth.basic.login}:${auth.basic.password}`).toString('base64')}`;
    return headers;
  }

  private unreachable(error: unknown, timeoutMs = 30_000): PacemakerUnreachableError {
    const cause = (error as { cause?: { code?: string; message?: string; errors?: { code?: string }[] } })
      ?.cause;
    const code =
      cause?.code ?? cause?.errors?.[0]?.code ?? cause?.message ?? (error as Error)?.message ?? String(error);
    const hint = this.options.startHint ?? 'paasmaker node --config paasmaker.yml';
    if ((error as { name?: string })?.name === 'TimeoutError') {
      const reason = `no answer within ${Math.round(timeoutMs / 1000)} s`;
      return new PacemakerUnreachableError(
        `the pacemaker at ${this.url} did not answer within ${Math.round(timeoutMs / 1000)} s: is it overloaded or stuck?`,
        reason,
      );
    }
    return new PacemakerUnreachableError(
      `cannot reach the pacemaker at ${this.url} (${code}): is it running? (${hint})`,
      code,
    );
  }

  private apiError(status: number, body: unknown, text: string): CliError {
    const error = (body as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
    // A proxy or load balancer in front of a pacemaker that is down or restarting.
    if ((!error || typeof error.code !== 'string') && GATEWAY_DOWN.has(status))
      return new PacemakerUnreachableError(
        `HTTP ${status} from ${this.url}: the pacemaker behind it is not answering`,
        `HTTP ${status}`,
      );
    if (!error || typeof error.code !== 'string') {
      const snippet = text.replace(/\s+/g, ' ').trim().slice(0, 120);
      return new CliError(
        `HTTP ${status} from ${this.url}${snippet ? `: ${snippet}` : ''} (is this the pacemaker's URL?)`,
      );
    }
    const message = typeof error.message === 'string' ? error.message : `HTTP ${status}`;
    let hint = '';
    if (error.code === 'E_API_UNAUTHENTICATED') hint = ' (log in again: paasmaker login --url <url>)';
    if (error.code === 'E_API_FORBIDDEN') hint = ' (ask an administrator for a role that grants it)';
    if (error.code === 'E_API_INTERNAL') hint = ' (a pacemaker bug: its log has the details)';
    return new CliError(`${error.code}: ${message}${hint}`, undefined, error.code);
  }

  me = () => this.request<MeView>('GET', '/me');

  listWorkspaces = () => this.request<WorkspaceView[]>('GET', '/workspaces');
  getWorkspace = (id: number) => this.request<WorkspaceView>('GET', `/workspaces/${id}`);
  createWorkspace = (body: { name: string; stub: string; tags?: Record<string, string> }) =>
    this.request<WorkspaceView>('POST', '/workspaces', { body });
  updateWorkspace = (id: number, body: { name?: string; stub?: string; tags?: Record<string, string> }) =>
    this.request<WorkspaceView>('PATCH', `/workspaces/${id}`, { body });
  deleteWorkspace = (id: number) => this.request<void>('DELETE', `/workspaces/${id}`);

  listApplications = (workspaceId: number) =>
    this.request<ApplicationView[]>('GET', `/workspaces/${workspaceId}/applications`);
  createApplication = (workspaceId: number, body: { name: string; manifestPath?: string }) =>
    this.request<ApplicationView>('POST', `/workspaces/${workspaceId}/applications`, { body });
  getApplication = (id: number) => this.request<ApplicationView>('GET', `/applications/${id}`);
  deleteApplication = (id: number) => this.request<{ treeId: string }>('DELETE', `/applications/${id}`);

  listVersions = (applicationId: number) =>
    this.request<VersionView[]>('GET', `/applications/${applicationId}/versions`);
  getVersion = (id: number, options: ReadOptions = {}) =>
    this.request<VersionView>('GET', `/versions/${id}`, options);

  listServices = (workspaceId: number) =>
    this.request<ServiceView[]>('GET', `/workspaces/${workspaceId}/services`);
  createService = (
    workspaceId: number,
    body: { name: string; provider: string; parameters?: Record<string, unknown> },
  ) => this.request<ServiceView>('POST', `/workspaces/${workspaceId}/services`, { body });
  deleteService = (id: number) => this.request<void>('DELETE', `/services/${id}`);

  listNodes = () => this.request<NodeView[]>('GET', '/nodes');
  getNode = (uuid: string) => this.request<NodeView>('GET', `/nodes/${encodeURIComponent(uuid)}`);

  listUsers = () => this.request<UserView[]>('GET', '/users');
  getUser = (id: number) => this.request<UserView>('GET', `/users/${id}`);
  createUser = (body: { login: string; email: string; name: string; password: string; enabled?: boolean }) =>
    this.request<UserView>('POST', '/users', { body });
  createApiKey = (userId: number, label?: string) =>
    this.request<{ key: string; apiKey: ApiKeyView }>('POST', `/users/${userId}/api-keys`, {
      body: label === undefined ? {} : { label },
    });
  deleteApiKey = (userId: number, apiKeyId: number) =>
    this.request<void>('DELETE', `/users/${userId}/api-keys/${apiKeyId}`);

  listRoles = () => this.request<RoleView[]>('GET', '/roles');
  createRole = (body: { name: string; permissions: string[] | 'ALL' }) =>
    this.request<RoleView>('POST', '/roles', { body });
  listAllocations = (query: { userId?: number; roleId?: number; workspaceId?: number } = {}) =>
    this.request<RoleAllocationView[]>('GET', '/role-allocations', { query });
  allocate = (body: { userId: number; roleId: number; workspaceId: number | null }) =>
    this.request<RoleAllocationView>('POST', '/role-allocations', { body });
  unallocate = (id: number) => this.request<void>('DELETE', `/role-allocations/${id}`);

  listJobs = (query: { tag: string; limit?: number; offset?: number }) =>
    this.request<{ trees: TreeSummaryView[]; total: number }>('GET', '/jobs', { query });
  getJobTree = (jobId: string, options: ReadOptions = {}) =>
    this.request<TreeView>('GET', `/jobs/${encodeURIComponent(jobId)}/tree`, options);
  abortJob = (jobId: string, reason?: string) =>
    this.request<{ jobId: string; treeId: string }>('POST', `/jobs/${encodeURIComponent(jobId)}/abort`, {
      body: reason === undefined ? {} : { reason },
    });

  deploy = (workspaceId: number, body: DeployRequest) =>
    this.request<{ treeId: string }>('POST', `/workspaces/${workspaceId}/deploys`, { body });
  /** Uploads a .tar.gz of an application's source; deploy it with `paasmaker.scm.upload` and `location`. */
  async upload(workspaceId: number, archive: Uint8Array): Promise<{ location: string; bytes: number }> {
    const { response, text } = await this.send('POST', `/workspaces/${workspaceId}/uploads`, {
      body: archive,
      contentType: 'application/gzip',
      timeoutMs: 300_000,
    });
    const parsed = parseJson(text);
    if (!response.ok) throw this.apiError(response.status, parsed, text);
    const data = (parsed as { data?: { location?: unknown; bytes?: unknown } } | undefined)?.data;
    if (typeof data?.location !== 'string')
      throw new CliError(`unexpected answer to the upload from ${this.url} (HTTP ${response.status})`);
    return data as { location: string; bytes: number };
  }
  versionAction = (versionId: number, action: VersionAction) =>
    this.request<{ treeId: string }>('POST', `/versions/${versionId}/${action}`, { body: {} });
  deleteVersion = (versionId: number) => this.request<{ treeId: string }>('DELETE', `/versions/${versionId}`);
  rollback = (applicationId: number) =>
    this.request<{ treeId: string }>('POST', `/applications/${applicationId}/rollback`, { body: {} });

  getConfig = (applicationId: number) =>
    this.request<{ vars: Record<string, string> }>('GET', `/applications/${applicationId}/config`);
  updateConfig = (applicationId: number, vars: Record<string, string | null>) =>
    this.request<{ vars: Record<string, string> }>('PATCH', `/applications/${applicationId}/config`, {
      body: { vars },
    });

  listInstances = (applicationId: number, options: ReadOptions = {}) =>
    this.request<ApplicationInstancesView>('GET', `/applications/${applicationId}/instances`, options);
  /** A job's whole log, read from the node that ran it. */
  async jobLog(jobId: string): Promise<string> {
    const { response, text } = await this.send('GET', `/jobs/${encodeURIComponent(jobId)}/log`, {
      accept: 'text/plain',
    });
    if (!response.ok) throw this.apiError(response.status, parseJson(text), text);
    return text;
  }

  /** The log of an instance from byte `offset`, and the offset to ask for next. */
  async instanceLog(
    applicationId: number,
    instanceId: string,
    offset: number,
  ): Promise<{ text: string; next: number }> {
    const { response, text } = await this.send(
      'GET',
      `/applications/${applicationId}/instances/${encodeURIComponent(instanceId)}/log`,
      { query: { offset }, accept: 'text/plain' },
    );
    if (!response.ok) throw this.apiError(response.status, parseJson(text), text);
    const next = Number(response.headers.get('x-next-offset'));
    return { text, next: Number.isFinite(next) ? next : offset + Buffer.byteLength(text) };
  }

  /**
   * The log of an instance from byte `offset` as it grows, each piece with the offset to resume
   * from, over one streamed response; ends when the pacemaker ends it or finds no such instance
   * (it is gone), or when `signal` aborts.
   */
  async *followInstanceLog(
    applicationId: number,
    instanceId: string,
    offset: number,
    signal: AbortSignal,
  ): AsyncGenerator<{ text: string; next: number }> {
    const target = new URL(
      `${this.url}/api/v1/applications/${applicationId}/instances/${encodeURIComponent(instanceId)}/log`,
    );
    target.searchParams.set('offset', String(offset));
    target.searchParams.set('follow', 'true');
    let response: Response;
    try {
      response = await fetch(target, { headers: this.headers('application/x-ndjson'), signal });
    } catch (error) {
      if (signal.aborted) return;
      throw this.unreachable(error);
    }
    if (!response.ok || !response.body) {
      const text = await response.text();
      const error = this.apiError(response.status, parseJson(text), text);
      // Listed a moment ago, gone now: its log has ended.
      if (error.code === 'E_INSTANCE_NOT_FOUND') return;
      throw error;
    }
    const decoder = new TextDecoder();
    let pending = '';
    try {
      for await (const bytes of response.body) {
        pending += decoder.decode(bytes, { stream: true });
        const lines = pending.split('\n');
        pending = lines.pop() ?? '';
        for (const line of lines) if (line) yield JSON.parse(line) as { text: string; next: number };
      }
    } catch (error) {
      if (signal.aborted) return;
      throw this.unreachable(error);
    }
  }
}
