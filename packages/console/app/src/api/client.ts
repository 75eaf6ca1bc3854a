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

/** What openapi-fetch resolves with: a success's body as `data`, a refusal's as `error`. */
interface ApiResult<Body> {
  data?: Body;
  error?: unknown;
  response: Response;
}

/** The `data` of a success's body (`{ data }`); undefined for an answer without a body. */
export type AnswerData<Body> = [Body] extends [never]
  ? undefined
  : Body extends { data: infer D }
    ? D
    : undefined;

/**
 * The `data` of an API answer, typed from the API's OpenAPI document (the route's declared answer),
 * or an {@link ApiError}.
 */
export async function unwrap<Body>(call: Promise<ApiResult<Body>>): Promise<AnswerData<Body>> {
  const { data, error, response } = await call;
  if (!response.ok) {
    const body = (error as { error?: { code?: string; message?: string } } | undefined)?.error;
    throw new ApiError(
      response.status,
      body?.code ?? `HTTP_${response.status}`,
      body?.message ?? response.statusText,
    );
  }
  return (data as { data?: unknown } | undefined)?.data as AnswerData<Body>;
}
