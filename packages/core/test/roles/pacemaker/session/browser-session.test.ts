import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import {
  API_PREFIX,
  createPacemakerApi,
  JOB_STREAM_PATH,
  type PacemakerApi,
} from '../../../../src/roles/pacemaker';
import {
  type ApiFixture,
  basicAuthorization as basic,
  PASSWORD,
  startApiFixture,
} from '../pacemaker-api-fixture';

const CSRF = 'x-paasmaker-csrf';

/** The cookie pair (`paasmaker_session=...`) and attributes of a Set-Cookie header. */
function parseSetCookie(header: string | null) {
  expect(header).toBeTruthy();
  const [pair = '', ...attributes] = (header ?? '').split(';').map((part) => part.trim());
  return { pair, attributes: attributes.map((attribute) => attribute.toLowerCase()) };
}

describe('browser sessions: cookie login through the auth plugins', () => {
  let fx: ApiFixture;
  let shortLived: PacemakerApi;
  let shortLivedUrl: string;

  beforeAll(async () => {
    fx = await startApiFixture();
    shortLived = createPacemakerApi({ kernel: fx.kernel, model: fx.model, jobs: fx.jobs, sessionTtlMs: 300 });
    shortLivedUrl = await shortLived.listen();
  });
  afterAll(async () => {
    await shortLived?.close();
    await fx?.close();
  });

  async function logIn(url = fx.url, login = fx.users.rightWorkspace.login) {
    const response = await fetch(`${url}${API_PREFIX}/session`, {
      method: 'POST',
      headers: { authorization: basic(login, PASSWORD) },
    });
    expect(response.status).toBe(200);
    const cookie = parseSetCookie(response.headers.get('set-cookie'));
    const body = (await response.json()) as { data: { csrfToken: string; expiresAt: string } };
    return { cookie: cookie.pair, attributes: cookie.attributes, csrfToken: body.data.csrfToken };
  }

  it('sets an HttpOnly, SameSite=Strict session cookie on path /, not Secure over plain http', async () => {
    const { cookie, attributes, csrfToken } = await logIn();
    expect(cookie).toMatch(/^paasmaker_session=[A-Za-z0-9_-]{43}$/);
    expect(attributes).toContain('httponly');
    expect(attributes).toContain('samesite=strict');
    expect(attributes).toContain('path=/');
    expect(attributes.some((attribute) => attribute.startsWith('expires='))).toBe(true);
    expect(attributes).not.toContain('secure');
    expect(csrfToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('marks the cookie Secure when told the pacemaker is served over https', async () => {
    const secure = createPacemakerApi({
      kernel: fx.kernel,
      model: fx.model,
      jobs: fx.jobs,
      secureSessionCookie: true,
    });
    try {
      const { attributes } = await logIn(await secure.listen());
      expect(attributes).toContain('secure');
    } finally {
      await secure.close();
    }
  });

  it('refuses a wrong password, and gives no cookie', async () => {
    const response = await fetch(`${fx.url}${API_PREFIX}/session`, {
      method: 'POST',
      headers: { authorization: basic(fx.users.rightWorkspace.login, 'not the password') },
    });
    expect(response.status).toBe(401);
    expect(response.headers.get('set-cookie')).toBeNull();
  });

  it("gives exactly the user's permissions: its workspace, not another's, nothing cluster-wide", async () => {
    const { cookie } = await logIn();
    const get = (route: string) => fetch(`${fx.url}${API_PREFIX}${route}`, { headers: { cookie } });
    expect((await get(`/workspaces/${fx.workspaceA.id}`)).status).toBe(200);
    expect((await get(`/workspaces/${fx.workspaceB.id}`)).status).toBe(403);
    expect((await get('/users')).status).toBe(403);
    const listed = (await (await get('/workspaces')).json()) as { data: { id: number }[] };
    expect(listed.data.map((workspace) => workspace.id)).toEqual([fx.workspaceA.id]);
    const session = (await (await get('/session')).json()) as { data: { principal: { userId: string } } };
    expect(session.data.principal.userId).toBe(String(fx.users.rightWorkspace.id));
  });

  it('refuses a state-changing request without the CSRF token, or with a wrong one, and takes the right one', async () => {
    const { cookie, csrfToken } = await logIn();
    const patch = (headers: Record<string, string>) =>
      fetch(`${fx.url}${API_PREFIX}/applications/${fx.applicationA.id}`, {
        method: 'PATCH',
        headers: { cookie, 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ name: 'shop' }),
      });
    const without = await patch({});
    expect(without.status).toBe(403);
    expect(((await without.json()) as { error: { code: string; message: string } }).error).toMatchObject({
      code: 'E_API_FORBIDDEN',
      message: expect.stringContaining(CSRF),
    });
    expect((await patch({ [CSRF]: `${csrfToken.slice(0, -1)}x` })).status).toBe(403);
    expect((await patch({ [CSRF]: csrfToken })).status).toBe(200);
  });

  it('does not take one session’s CSRF token for another session', async () => {
    const first = await logIn();
    const second = await logIn();
    const response = await fetch(`${fx.url}${API_PREFIX}/session`, {
      method: 'DELETE',
      headers: { cookie: first.cookie, [CSRF]: second.csrfToken },
    });
    expect(response.status).toBe(403);
  });

  it('logs out: the cookie is cleared and refused afterwards', async () => {
    const { cookie, csrfToken } = await logIn();
    const out = await fetch(`${fx.url}${API_PREFIX}/session`, {
      method: 'DELETE',
      headers: { cookie, [CSRF]: csrfToken },
    });
    expect(out.status).toBe(204);
    const cleared = parseSetCookie(out.headers.get('set-cookie'));
    expect(cleared.pair).toBe('paasmaker_session=');
    expect(cleared.attributes).toContain('expires=thu, 01 jan 1970 00:00:00 gmt');
    const after = await fetch(`${fx.url}${API_PREFIX}/me`, { headers: { cookie } });
    expect(after.status).toBe(401);
  });

  it('refuses a forged cookie and an expired one', async () => {
    const forged = await fetch(`${fx.url}${API_PREFIX}/me`, {
      headers: { cookie: `paasmaker_session=${'A'.repeat(43)}` },
    });
    expect(forged.status).toBe(401);
    expect(((await forged.json()) as { error: { code: string } }).error.code).toBe('E_API_UNAUTHENTICATED');

    const { cookie } = await logIn(shortLivedUrl);
    await vi.waitFor(
      async () => {
        const response = await fetch(`${shortLivedUrl}${API_PREFIX}/me`, { headers: { cookie } });
        expect(response.status).toBe(401);
      },
      { timeout: 30_000, interval: 100 },
    );
  });

  it('ends the session of a user who is disabled', async () => {
    const login = fx.users.target.login;
    const { cookie } = await logIn(fx.url, login);
    expect((await fetch(`${fx.url}${API_PREFIX}/me`, { headers: { cookie } })).status).toBe(200);
    await fx.model.users.update(fx.users.target.id, { enabled: false });
    try {
      expect((await fetch(`${fx.url}${API_PREFIX}/me`, { headers: { cookie } })).status).toBe(401);
    } finally {
      await fx.model.users.update(fx.users.target.id, { enabled: true });
    }
    expect((await fetch(`${fx.url}${API_PREFIX}/me`, { headers: { cookie } })).status).toBe(401);
  });

  it('opens the job stream with the session cookie, and not with a forged one', async () => {
    const { cookie } = await logIn();
    const open = (cookieHeader: string) =>
      new Promise<number>((resolve) => {
        const socket = new WebSocket(`${fx.url.replace('http', 'ws')}${JOB_STREAM_PATH}`, {
          headers: { cookie: cookieHeader },
        });
        socket.on('open', () => {
          socket.close();
          resolve(101);
        });
        socket.on('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
        socket.on('error', () => undefined);
      });
    expect(await open(cookie)).toBe(101);
    expect(await open(`paasmaker_session=${'B'.repeat(43)}`)).toBe(401);
  });
});
