import type { PacemakerApiPaths } from '@paasmaker/core';
import createClient, { type Middleware } from 'openapi-fetch';

/** The CSRF header the API checks on every request that is not GET or HEAD. */
export const CSRF_HEADER = 'x-paasmaker-csrf';

let csrfToken: string | undefined;

/** Sets the session's CSRF token (from login or `GET /session`); undefined after logout. */
export function setCsrfToken(token: string | undefined): void {
  csrfToken = token;
}

const sendCsrfToken: Middleware = {
  onRequest({ request }) {
    if (csrfToken && request.method !== 'GET' && request.method !== 'HEAD')
      request.headers.set(CSRF_HEADER, csrfToken);
    return request;
  },
};

/**
 * The pacemaker API, typed from its OpenAPI document: a path, parameter or body the API no longer
 * takes fails the console's typecheck. The session cookie goes along (same origin).
 */
export const api = createClient<PacemakerApiPaths>({ baseUrl: location.origin, credentials: 'same-origin' });
api.use(sendCsrfToken);

/** An API refusal, with the API's stable error code. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

interface ApiResult {
  data?: unknown;
  error?: unknown;
  response: Response;
}

/**
 * The `data` of an API answer, or an {@link ApiError}. Answers are typed with the records
 * `@paasmaker/core` exports, so a changed model type also fails the console's typecheck.
 */
export async function unwrap<T>(call: Promise<ApiResult>): Promise<T> {
  const { data, error, response } = await call;
  if (!response.ok) {
    const body = (error as { error?: { code?: string; message?: string } } | undefined)?.error;
    throw new ApiError(
      response.status,
      body?.code ?? `HTTP_${response.status}`,
      body?.message ?? response.statusText,
    );
  }
  return (data as { data?: T } | undefined)?.data as T;
}
