import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_PREFIX, createPacemakerApi, type PacemakerApi } from '../../../src/roles/pacemaker';
import {
  type ApiFixture,
  basicAuthorization as basic,
  PASSWORD,
  startApiFixture,
} from './pacemaker-api-fixture';

/** Password spraying: one guess for each of many users, all from one address. */
describe('password attempts per client address', () => {
  let fx: ApiFixture;
  let api: PacemakerApi;
  let url: string;

  beforeAll(async () => {
    fx = await startApiFixture();
    // A second API over the fixture's model and job engine, with a small limit.
    api = createPacemakerApi({
      kernel: fx.kernel,
      model: fx.model,
      jobs: fx.jobs,
      loginRateLimit: { max: 3, timeWindowMs: 10 * 60_000 },
    });
    url = await api.listen();
  });
  afterAll(async () => {
    await api?.close();
    await fx?.close();
  });

  const me = (authorization: string) => fetch(`${url}${API_PREFIX}/me`, { headers: { authorization } });

  it('answers 429 E_API_LOGIN_RATE_LIMITED with Retry-After once an address tried too many passwords', async () => {
    const { noRole, wrongWorkspace, rightWorkspace, target } = fx.users;
    for (const user of [noRole, wrongWorkspace, rightWorkspace])
      expect((await me(basic(user.login, 'summer2024'))).status).toBe(401);

    // Refused before the password is checked: the right one fares no better.
    const limited = await me(basic(target.login, PASSWORD));
    expect(limited.status).toBe(429);
    const body = (await limited.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('E_API_LOGIN_RATE_LIMITED');
    expect(body.error.message).toContain('at most 3');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);

    // Tokens are not password attempts; other APIs keep their own count.
    expect((await me(fx.authorization('super') ?? '')).status).toBe(200);
    expect(
      (await fx.request('GET', `${API_PREFIX}/me`, { authorization: basic(target.login, PASSWORD) })).status,
    ).toBe(200);
  });
});
