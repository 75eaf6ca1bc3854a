import type { ApiBody, ApiData, ApiMethod, ApiPath, ApiPathParams, ApiQuery } from './api-operations';
import { CliError, PacemakerUnreachableError } from './errors';

// The API's records as they arrive over JSON (dates are ISO strings), typed from its OpenAPI document.
export type WorkspaceView = ApiData<'/api/v1/workspaces/{workspaceId}', 'get'>;
export type UserView = ApiData<'/api/v1/users/{userId}', 'get'>;
export type RoleView = ApiData<'/api/v1/roles/{roleId}', 'get'>;
export type RoleAllocationView = ApiData<'/api/v1/role-allocations', 'post'>;
export type ApplicationView = ApiData<'/api/v1/applications/{applicationId}', 'get'>;
/** `manifest` is absent without APPLICATION_VIEW_MANIFEST on the workspace. */
export type VersionView = ApiData<'/api/v1/versions/{versionId}', 'get'>;
/** `credentials` is absent without SERVICE_CREDENTIAL_VIEW on the workspace. */
export type ServiceView = ApiData<'/api/v1/workspaces/{workspaceId}/services', 'get'>[number];
/** `stats` (of its last report) is in the detail only. */
export type NodeView = ApiData<'/api/v1/nodes/{uuid}', 'get'>;
export type ApplicationInstancesView = ApiData<'/api/v1/applications/{applicationId}/instances', 'get'>;
/** One instance of an application, as `GET /applications/:id/instances` lists it. */
export type InstanceView = ApplicationInstancesView['instances'][number];
/** The body of `POST /workspaces/:id/deploys`. */
export type DeployRequest = ApiBody<'/api/v1/workspaces/{workspaceId}/deploys', 'post'>;
export type VersionAction = 'register' | 'start' | 'stop' | 'current' | 'deregister';
export type MeView = ApiData<'/api/v1/me', 'get'>;
export type TreeView = ApiData<'/api/v1/jobs/{jobId}/tree', 'get'>;
export type TreeSummaryView = ApiData<'/api/v1/jobs', 'get'>['trees'][number];

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

/** `path` with its `{name}` parameters filled in. */
function routeOf(path: ApiPath, params: object = {}): string {
  return path.replace(/\{(\w+)\}/g, (_, name: string) =>
    encodeURIComponent(String((params as Record<string, string | number>)[name])),
  );
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

  /** `M P` with its path parameters, query and body; resolves with the answer's `data`. */
  async request<P extends ApiPath, M extends ApiMethod<P>>(
    method: M,
    path: P,
    options: {
      params?: ApiPathParams<P, M>;
      query?: ApiQuery<P, M>;
      body?: ApiBody<P, M>;
      timeoutMs?: number;
    } = {},
  ): Promise<ApiData<P, M>> {
    const { response, text } = await this.send(
      method.toUpperCase(),
      routeOf(path, options.params as object | undefined),
      {
        query: options.query as Query | undefined,
        timeoutMs: options.timeoutMs,
        ...(options.body !== undefined
          ? { body: JSON.stringify(options.body), contentType: 'application/json' }
          : {}),
      },
    );
    const parsed = parseJson(text);
    if (!response.ok) throw this.apiError(response.status, parsed, text);
    if (response.status === 204) return undefined as ApiData<P, M>;
    if (!parsed || typeof parsed !== 'object' || !('data' in parsed))
      throw new CliError(
        `unexpected answer from ${this.url} (HTTP ${response.status}, not a pacemaker API response): is this the pacemaker's URL?`,
      );
    return (parsed as { data: ApiData<P, M> }).data;
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
    const target = new URL(`${this.url}${route}`);
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

  me = () => this.request('get', '/api/v1/me');

  listWorkspaces = () => this.request('get', '/api/v1/workspaces');
  getWorkspace = (workspaceId: number) =>
    this.request('get', '/api/v1/workspaces/{workspaceId}', { params: { workspaceId } });
  createWorkspace = (body: ApiBody<'/api/v1/workspaces', 'post'>) =>
    this.request('post', '/api/v1/workspaces', { body });
  updateWorkspace = (workspaceId: number, body: ApiBody<'/api/v1/workspaces/{workspaceId}', 'patch'>) =>
    this.request('patch', '/api/v1/workspaces/{workspaceId}', { params: { workspaceId }, body });
  deleteWorkspace = (workspaceId: number) =>
    this.request('delete', '/api/v1/workspaces/{workspaceId}', { params: { workspaceId } });

  listApplications = (workspaceId: number) =>
    this.request('get', '/api/v1/workspaces/{workspaceId}/applications', { params: { workspaceId } });
  createApplication = (
    workspaceId: number,
    body: ApiBody<'/api/v1/workspaces/{workspaceId}/applications', 'post'>,
  ) =>
    this.request('post', '/api/v1/workspaces/{workspaceId}/applications', { params: { workspaceId }, body });
  getApplication = (applicationId: number) =>
    this.request('get', '/api/v1/applications/{applicationId}', { params: { applicationId } });
  deleteApplication = (applicationId: number) =>
    this.request('delete', '/api/v1/applications/{applicationId}', { params: { applicationId } });

  listVersions = (applicationId: number) =>
    this.request('get', '/api/v1/applications/{applicationId}/versions', { params: { applicationId } });
  getVersion = (versionId: number, options: ReadOptions = {}) =>
    this.request('get', '/api/v1/versions/{versionId}', { params: { versionId }, ...options });

  listServices = (workspaceId: number) =>
    this.request('get', '/api/v1/workspaces/{workspaceId}/services', { params: { workspaceId } });
  createService = (workspaceId: number, body: ApiBody<'/api/v1/workspaces/{workspaceId}/services', 'post'>) =>
    this.request('post', '/api/v1/workspaces/{workspaceId}/services', { params: { workspaceId }, body });
  deleteService = (serviceId: number) =>
    this.request('delete', '/api/v1/services/{serviceId}', { params: { serviceId } });

  listNodes = () => this.request('get', '/api/v1/nodes');
  getNode = (uuid: string) => this.request('get', '/api/v1/nodes/{uuid}', { params: { uuid } });

  listUsers = () => this.request('get', '/api/v1/users');
  getUser = (userId: number) => this.request('get', '/api/v1/users/{userId}', { params: { userId } });
  createUser = (body: ApiBody<'/api/v1/users', 'post'>) => this.request('post', '/api/v1/users', { body });
  createApiKey = (userId: number, label?: string) =>
    this.request('post', '/api/v1/users/{userId}/api-keys', {
      params: { userId },
      body: label === undefined ? {} : { label },
    });
  deleteApiKey = (userId: number, apiKeyId: number) =>
    this.request('delete', '/api/v1/users/{userId}/api-keys/{apiKeyId}', { params: { userId, apiKeyId } });

  listRoles = () => this.request('get', '/api/v1/roles');
  createRole = (body: ApiBody<'/api/v1/roles', 'post'>) => this.request('post', '/api/v1/roles', { body });
  listAllocations = (query: ApiQuery<'/api/v1/role-allocations', 'get'> = {}) =>
    this.request('get', '/api/v1/role-allocations', { query });
  allocate = (body: ApiBody<'/api/v1/role-allocations', 'post'>) =>
    this.request('post', '/api/v1/role-allocations', { body });
  unallocate = (allocationId: number) =>
    this.request('delete', '/api/v1/role-allocations/{allocationId}', { params: { allocationId } });

  listJobs = (query: ApiQuery<'/api/v1/jobs', 'get'>) => this.request('get', '/api/v1/jobs', { query });
  getJobTree = (jobId: string, options: ReadOptions = {}) =>
    this.request('get', '/api/v1/jobs/{jobId}/tree', { params: { jobId }, ...options });
  abortJob = (jobId: string, reason?: string) =>
    this.request('post', '/api/v1/jobs/{jobId}/abort', {
      params: { jobId },
      body: reason === undefined ? {} : { reason },
    });

  deploy = (workspaceId: number, body: DeployRequest) =>
    this.request('post', '/api/v1/workspaces/{workspaceId}/deploys', { params: { workspaceId }, body });
  /** Uploads a .tar.gz of an application's source; deploy it with `paasmaker.scm.upload` and `location`. */
  async upload(
    workspaceId: number,
    archive: Uint8Array,
  ): Promise<ApiData<'/api/v1/workspaces/{workspaceId}/uploads', 'post'>> {
    const route = routeOf('/api/v1/workspaces/{workspaceId}/uploads', { workspaceId });
    const { response, text } = await this.send('POST', route, {
      body: archive,
      contentType: 'application/gzip',
      timeoutMs: 300_000,
    });
    const parsed = parseJson(text);
    if (!response.ok) throw this.apiError(response.status, parsed, text);
    const data = (parsed as { data?: { location?: unknown; bytes?: unknown } } | undefined)?.data;
    if (typeof data?.location !== 'string')
      throw new CliError(`unexpected answer to the upload from ${this.url} (HTTP ${response.status})`);
    return data as ApiData<'/api/v1/workspaces/{workspaceId}/uploads', 'post'>;
  }
  versionAction = (versionId: number, action: VersionAction) =>
    this.request('post', `/api/v1/versions/{versionId}/${action}`, { params: { versionId }, body: {} });
  deleteVersion = (versionId: number) =>
    this.request('delete', '/api/v1/versions/{versionId}', { params: { versionId } });
  rollback = (applicationId: number) =>
    this.request('post', '/api/v1/applications/{applicationId}/rollback', {
      params: { applicationId },
      body: {},
    });

  getConfig = (applicationId: number) =>
    this.request('get', '/api/v1/applications/{applicationId}/config', { params: { applicationId } });
  updateConfig = (applicationId: number, vars: Record<string, string | null>) =>
    this.request('patch', '/api/v1/applications/{applicationId}/config', {
      params: { applicationId },
      body: { vars },
    });

  listInstances = (applicationId: number, options: ReadOptions = {}) =>
    this.request('get', '/api/v1/applications/{applicationId}/instances', {
      params: { applicationId },
      ...options,
    });
  /** A job's whole log, read from the node that ran it. */
  async jobLog(jobId: string): Promise<string> {
    const { response, text } = await this.send('GET', routeOf('/api/v1/jobs/{jobId}/log', { jobId }), {
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
      routeOf('/api/v1/applications/{applicationId}/instances/{instanceId}/log', {
        applicationId,
        instanceId,
      }),
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
    const route = routeOf('/api/v1/applications/{applicationId}/instances/{instanceId}/log', {
      applicationId,
      instanceId,
    });
    const target = new URL(`${this.url}${route}`);
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
