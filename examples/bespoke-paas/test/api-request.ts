// The pacemaker API as a test calls it: a bearer token, JSON in and out, and how long it took.
import { API_PREFIX } from '@paasmaker/core';
import { patient } from '@paasmaker/test-servers';

/** An API answer: its status, its parsed body (undefined when empty or not JSON) and its duration. */
export interface ApiAnswer {
  readonly status: number;
  readonly body: ReturnType<typeof JSON.parse>;
  readonly ms: number;
}

/**
 * A function sending `method route` (under `/api/v1`) to the pacemaker at `url` with `token`;
 * a request without an answer within `timeoutMs` rejects, so a hanging API fails the test.
 */
export function apiRequester(url: string, token: string, timeoutMs = patient(30_000)) {
  return async (method: string, route: string, body?: unknown): Promise<ApiAnswer> => {
    const started = Date.now();
    const response = await fetch(`${url}${API_PREFIX}${route}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await response.text();
    let parsed: ApiAnswer['body'];
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    return { status: response.status, body: parsed, ms: Date.now() - started };
  };
}
