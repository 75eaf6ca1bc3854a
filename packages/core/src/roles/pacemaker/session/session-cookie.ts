import { parse, serialize } from 'cookie';

/** The cookie that carries a console session. */
export const SESSION_COOKIE = 'paasmaker_session';

/** The header a session's CSRF token travels in, on every request that is not GET or HEAD. */
export const CSRF_HEADER = 'x-paasmaker-csrf';

/** The session cookie's value in a `Cookie` header, if any. */
export function sessionCookieOf(header: string | undefined): string | undefined {
  if (!header) return undefined;
  return parse(header)[SESSION_COOKIE] || undefined;
}

/**
 * A `Set-Cookie` value for the session: HttpOnly (scripts cannot read it), SameSite=Strict (no
 * other site's page sends it, links included: the console is an app one opens, not a page one is
 * linked into), Secure when the request came over https. `value` undefined clears the cookie.
 */
export function sessionSetCookie(
  value: string | undefined,
  options: { secure: boolean; expires?: Date },
): string {
  return serialize(SESSION_COOKIE, value ?? '', {
    httpOnly: true,
    sameSite: 'strict',
    secure: options.secure,
    path: '/',
    expires: value === undefined ? new Date(0) : options.expires,
  });
}
