import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_PREFIX, MAX_JSON_DEPTH, ROUTE_PERMISSIONS } from '../../../src/roles/pacemaker';
import { type ApiFixture, type CallerName, startApiFixture } from './pacemaker-api-fixture';
import { nodeRegistration, ROUTE_SAMPLES, splitKey } from './route-samples';

const keys = Object.keys(ROUTE_PERMISSIONS) as (keyof typeof ROUTE_PERMISSIONS)[];

/** Path segments that are no record id: traversal, injection, unicode, overflow, NUL. */
const BAD_IDS = [
  '..%2F..%2Fetc%2Fpasswd',
  '%2e%2e',
  '..',
  '-1',
  '0',
  '1.5',
  '1e3',
  '99999999999999999999999',
  "1'%20OR%20'1'%3D'1",
  '%C3%BC%C3%B1%C3%AF',
  '%F0%9F%92%A5',
  '%00',
  '%',
  'null',
  'a'.repeat(90),
];

/** Bodies that are not what any route takes. */
const BAD_BODIES: { name: string; raw: string; contentType?: string }[] = [
  { name: 'malformed JSON', raw: '{"name": "x",' },
  { name: 'a bare string', raw: '"workspace"' },
  { name: 'a number', raw: '42' },
  { name: 'null', raw: 'null' },
  { name: 'an array', raw: '[1, 2, 3]' },
  { name: 'prototype pollution', raw: '{"__proto__": {"admin": true}, "name": "x"}' },
  { name: 'constructor pollution', raw: '{"constructor": {"prototype": {"admin": true}}}' },
  {
    name: 'wrong types',
    raw: JSON.stringify({
      name: 12,
      stub: ['a'],
      tags: 'x',
      login: {},
      email: true,
      password: 1,
      enabled: 'yes',
      permissions: 'SOME',
      userId: '1',
      roleId: -1,
      workspaceId: 'ws',
      label: 5,
      reason: [],
    }),
  },
  { name: 'unknown fields only', raw: '{"evil": "<script>alert(1)</script>"}' },
  { name: 'unicode where ids go', raw: JSON.stringify({ userId: '٣', roleId: '①', name: 'x' }) },
  { name: 'a huge body', raw: JSON.stringify({ name: '💥'.repeat(300_000) }) },
  { name: 'deep nesting', raw: `${'['.repeat(5000)}${']'.repeat(5000)}` },
  { name: 'form encoding', raw: 'name=x&stub=y', contentType: 'application/x-www-form-urlencoded' },
  { name: 'plain text', raw: 'hello', contentType: 'text/plain' },
];

describe('pacemaker API under malformed input', () => {
  let fx: ApiFixture;
  let before: { workspaces: number; users: number; roles: number };
  const counts = async () => ({
    workspaces: (await fx.model.workspaces.list()).length,
    users: (await fx.model.users.list()).length,
    roles: (await fx.model.roles.list()).length,
  });

  beforeAll(async () => {
    fx = await startApiFixture();
    before = await counts();
  });
  afterAll(async () => {
    await fx?.close();
  });

  const callers: CallerName[] = ['super', 'rightWorkspace'];

  describe.each(keys.filter((key) => key.includes(':')))('%s with bad ids', (key) => {
    it.each(BAD_IDS)('%s', async (bad) => {
      const { method, pattern } = splitKey(key);
      const sample = await ROUTE_SAMPLES[key](fx);
      for (const caller of callers) {
        const response = await fx.request(method, `${API_PREFIX}${pattern.replace(/:\w+/g, bad)}`, {
          as: caller,
          body: sample.body,
        });
        expect(response.status, `${caller}: ${response.text}`).toBeGreaterThanOrEqual(400);
        expect(response.status, `${caller}: ${response.text}`).toBeLessThan(500);
        expect(response.body?.error?.code, response.text).toMatch(/^E_/);
        expect(response.text).not.toMatch(/\bat .*\.(ts|js):\d+/);
      }
    });
  });

  const withBodies = keys.filter((key) => !key.startsWith('GET') && !key.startsWith('DELETE'));
  describe.each(withBodies)('%s with bad bodies', (key) => {
    it.each(BAD_BODIES.map((body) => [body.name, body] as const))('%s', async (_name, bad) => {
      const { method } = splitKey(key);
      const sample = await ROUTE_SAMPLES[key](fx);
      for (const caller of callers) {
        const response = await fx.request(method, `${API_PREFIX}${sample.path}`, {
          as: caller,
          rawBody: bad.raw,
          contentType: bad.contentType,
        });
        // An abort takes an optional body: an empty object is fine, so only shapes that are not are sent.
        expect(response.status, `${caller}: ${response.text}`).toBeGreaterThanOrEqual(400);
        expect(response.status, `${caller}: ${response.text}`).toBeLessThan(500);
        expect(response.body?.error?.code, response.text).toMatch(/^E_/);
        expect(response.text).not.toMatch(/\bat .*\.(ts|js):\d+/);
      }
    });
  });

  // Free-form fields (objects of any shape) are where a deep body gets past the schemas.
  const nested = (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
  const freeForm: [string, (fx: ApiFixture, value: string) => [string, string, CallerName]][] = [
    [
      'service parameters',
      (fx, value) => [
        `/workspaces/${fx.workspaceA.id}/services`,
        `{"name":"deep-${Math.random().toString(36).slice(2, 8)}","provider":"paasmaker.service.parameters","parameters":${value}}`,
        'rightWorkspace',
      ],
    ],
    [
      'node tags',
      (_fx, value) => {
        const { tags: _tags, ...registration } = nodeRegistration();
        return ['/nodes/register', `${JSON.stringify(registration).slice(0, -1)},"tags":${value}}`, 'node'];
      },
    ],
    [
      'deploy parameters',
      (fx, value) => [
        `/workspaces/${fx.workspaceA.id}/deploys`,
        `{"scm":"paasmaker.scm.upload","makeCurrent":false,"parameters":{"location":"/nowhere/app.tar.gz","extra":${value}}}`,
        'rightWorkspace',
      ],
    ],
  ];
  it.each(freeForm)(
    'refuses JSON nested 10 000 deep in %s with a 400 naming the limit',
    async (_name, make) => {
      const [path, rawBody, as] = make(fx, nested(10_000));
      const response = await fx.request('POST', `${API_PREFIX}${path}`, { as, rawBody });
      expect(response.status, response.text).toBe(400);
      expect(response.body.error.code).toBe('E_API_BODY_TOO_DEEP');
      expect(response.body.error.message).toContain(String(MAX_JSON_DEPTH));
    },
  );
  it.each(freeForm)('takes %s nested as deep as the limit allows', async (_name, make) => {
    // Above the value are one level (the body) or, for deploy parameters, two: the last at the limit.
    const [path, rawBody, as] = make(fx, nested(MAX_JSON_DEPTH - 2));
    const response = await fx.request('POST', `${API_PREFIX}${path}`, { as, rawBody });
    expect(response.status, response.text).toBeLessThan(300);
  });

  it.each([
    '/jobs?tag=%00',
    '/jobs?tag=workspace:1&limit=abc',
    '/jobs?tag=workspace:1&limit=-1',
    '/jobs?tag=workspace:1&offset=1e99',
    '/jobs',
    '/jobs?tag=x&tag=y',
    '/role-allocations?userId=..%2F',
    '/role-allocations?bogus=1',
  ])('rejects the query %s with a 400', async (path) => {
    const response = await fx.request('GET', `${API_PREFIX}${path}`, { as: 'super' });
    expect(response.status, response.text).toBe(400);
    expect(response.body.error.code).toBe('E_API_REQUEST_INVALID');
  });

  it.each([
    ['Bearer', undefined],
    ['Bearer ', undefined],
    ['Basic !!!', undefined],
    ['Basic', Buffer.from('no-colon').toString('base64')],
    ['Digest', 'abc'],
    ['Bearer', 'x'.repeat(4000)],
    ['Bearer', 'pmk_00000000_forged'],
  ])('answers credentials "%s %s…" with a 401', async (scheme, value) => {
    const response = await fx.request('GET', `${API_PREFIX}/me`, {
      authorization: value === undefined ? scheme : `${scheme} ${value}`,
    });
    expect(response.status, response.text).toBe(401);
    expect(response.body.error.code).toBe('E_API_UNAUTHENTICATED');
  });

  it('stays up and consistent afterwards', async () => {
    expect((await fx.request('GET', `${API_PREFIX}/me`, { as: 'super' })).status).toBe(200);
    expect((await fx.request('GET', `${API_PREFIX}/workspaces`, { as: 'rightWorkspace' })).status).toBe(200);
    const after = await counts();
    // Only the samples' own set-up (scratch workspaces, doomed users, roles) added records; nothing bad got in.
    expect(after.workspaces).toBeGreaterThanOrEqual(before.workspaces);
    const workspaces = await fx.model.workspaces.list();
    expect(workspaces.every((w) => /^[-A-Za-z0-9.]+$/.test(w.stub))).toBe(true);
    const users = await fx.model.users.list();
    expect(users.every((u) => u.login.length >= 2 && !u.login.includes('<'))).toBe(true);
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
  });
});
