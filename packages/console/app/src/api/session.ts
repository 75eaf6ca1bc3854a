import type { PacemakerApiSchemas } from '@paasmaker/core';
import { ApiError, api, setCsrfToken, unwrap } from './client';

/** Who is logged in: `GET /me`. */
export type Me = PacemakerApiSchemas['Me'];

/** Logs in with a login and password (HTTP basic, through the API's auth plugins); resolves with who. */
export async function logIn(login: string, password: string): Promise<Me> {
  const bytes = new TextEncoder().encode(`${login}:${password}`);
  const authorization = `Basic ${btoa(String.fromCharCode(...bytes))}`;
  const session = await unwrap(api.POST('/api/v1/session', { headers: { authorization } }));
  setCsrfToken(session.csrfToken);
  return unwrap(api.GET('/api/v1/me'));
}

/** The current session after a page load, or null when there is none (log in). */
export async function resumeSession(): Promise<Me | null> {
  try {
    const session = await unwrap(api.GET('/api/v1/session'));
    if (!session) return null;
    setCsrfToken(session.csrfToken);
    return await unwrap(api.GET('/api/v1/me'));
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return null;
    throw error;
  }
}

/** Ends the session (and its cookie). */
export async function logOut(): Promise<void> {
  await unwrap(api.DELETE('/api/v1/session'));
  setCsrfToken(undefined);
}
