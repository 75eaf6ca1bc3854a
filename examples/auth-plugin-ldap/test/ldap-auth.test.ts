import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type AuthDecision, createKernel, createModel, type Kernel, type Model } from '@paasmaker/core';
import { ldapSettings } from '@paasmaker/test-servers';
import { Client } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { escapeFilterValue, LDAP_AUTH_SOURCE, ldapAuthPlugin, userFilter } from '../src/index';

const ldap = ldapSettings();
const peopleDn = `ou=people,${ldap.baseDn}`;
const run = randomBytes(4).toString('hex');
const alice = {
  uid: `alice-${run}`,
  password: 'correct horse battery staple',
  mail: `alice-${run}@example.test`,
};
const bob = { uid: `bob-${run}`, password: 'b0b-secret', mail: `bob-${run}@example.test` };
const seeded = [alice, bob];
const dnOf = (uid: string) => `uid=${uid},${peopleDn}`;

async function adminClient(): Promise<Client> {
  const client = new Client({ url: ldap.url, timeout: 5_000, connectTimeout: 5_000 });
  await client.bind(ldap.bindDn, ldap.bindPassword);
  return client;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

describe('escaping usernames for filters (RFC 4515)', () => {
  it('escapes the filter metacharacters and only them', () => {
    expect(escapeFilterValue('*)(uid=*')).toBe('\\2a\\29\\28uid=\\2a');
    expect(escapeFilterValue('a\\b\u0000c')).toBe('a\\5cb\\00c');
    expect(escapeFilterValue('josé.o$1')).toBe('josé.o$1');
    expect(userFilter('(&(objectClass=person)(uid={username}))', '$&*')).toBe(
      '(&(objectClass=person)(uid=$&\\2a))',
    );
  });
});

describe('acme.auth.ldap against slapd', () => {
  let dir: string;
  let model: Model;
  let kernel: Kernel;
  const closers: (() => Promise<unknown>)[] = [];

  const kernelFor = async (overrides: Record<string, unknown> = {}): Promise<Kernel> => {
    const k = await createKernel({
      plugins: [{ plugin: ldapAuthPlugin(model), options: { ...ldap, timeoutMs: 2_000, ...overrides } }],
    });
    closers.push(() => k.close());
    return k;
  };
  const login = (username: string, password: string, k: Kernel = kernel): Promise<AuthDecision | undefined> =>
    k.hooks.auth.promise({ kind: 'password', username, password });

  beforeAll(async () => {
    const admin = await adminClient();
    try {
      for (const person of seeded) {
        await admin.add(dnOf(person.uid), {
          objectClass: ['inetOrgPerson'],
          uid: person.uid,
          cn: `${person.uid} Example`,
          sn: 'Example',
          mail: person.mail,
          userPassword: person.password,
        });
      }
    } finally {
      await admin.unbind();
    }
    dir = await mkdtemp(join(tmpdir(), 'paasmaker-ldap-'));
    model = await createModel({ filename: join(dir, 'model.db') });
    kernel = await kernelFor();
  });

  afterAll(async () => {
    for (const close of closers.reverse()) await close();
    await model?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
    const admin = await adminClient();
    try {
      for (const person of seeded) await admin.del(dnOf(person.uid)).catch(() => undefined);
    } finally {
      await admin.unbind();
    }
  });

  it('creates a local user with no role allocations at the first login, and reuses it at the next', async () => {
    expect(await model.users.findByLogin(alice.uid)).toBeUndefined();

    const first = await login(alice.uid, alice.password);
    expect(first).toEqual({
      outcome: 'authenticated',
      principal: { kind: 'user', userId: expect.any(String), source: LDAP_AUTH_SOURCE },
    });
    const user = await model.users.findByLogin(alice.uid);
    expect(user).toMatchObject({
      login: alice.uid,
      email: alice.mail,
      name: `${alice.uid} Example`,
      authSource: LDAP_AUTH_SOURCE,
      enabled: true,
      passwordHash: null,
    });
    if (first?.outcome !== 'authenticated' || !user) throw new Error('unreachable');
    expect(first.principal.userId).toBe(String(user.id));
    expect(await model.roles.allocations({ userId: user.id })).toEqual([]);
    expect(await model.roles.permissionsOf(user.id)).toEqual([]);

    const second = await login(alice.uid, alice.password);
    expect(second).toEqual(first);
    expect((await model.users.list()).filter((u) => u.login === alice.uid)).toHaveLength(1);
  });

  it('rejects a wrong or empty password without creating a user', async () => {
    expect(await login(bob.uid, 'not-the-password')).toEqual({
      outcome: 'rejected',
      reason: 'unknown user or wrong password',
    });
    expect(await login(bob.uid, '')).toMatchObject({ outcome: 'rejected' });
    expect(await model.users.findByLogin(bob.uid)).toBeUndefined();
  });

  it('passes on a user the directory does not know, and tokens', async () => {
    expect(await login(`nobody-${run}`, 'whatever')).toBeUndefined();
    expect(await kernel.hooks.auth.promise({ kind: 'token', token: 'some-token' })).toBeUndefined();
  });

  it('never lets a crafted username widen the search', async () => {
    for (const username of [
      '*',
      '*)(uid=*',
      `${alice.uid.slice(0, 3)}*`,
      `*)(|(uid=*`,
      `${alice.uid})(uid=*`,
    ]) {
      const decision = await login(username, alice.password);
      expect(decision?.outcome, username).not.toBe('authenticated');
      expect(decision, username).toBeUndefined();
    }
    // Even with the service account's own password, which a raw filter could be made to match.
    expect(await login('*', ldap.bindPassword)).toBeUndefined();
  });

  it('leaves users of another auth source to their own plugin', async () => {
    const login2 = `carol-${run}`;
    await model.users.create({ login: login2, email: `${login2}@example.test`, name: 'Carol' });
    expect(await login(login2, 'anything')).toBeUndefined();
  });

  it('rejects quickly when the directory is unreachable (closed port)', async () => {
    const port = await freePort();
    const k = await kernelFor({ url: `ldap://127.0.0.1:${port}` });
    const started = Date.now();
    expect(await login(alice.uid, alice.password, k)).toEqual({
      outcome: 'rejected',
      reason: expect.stringContaining('cannot be reached'),
    });
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('rejects within the timeout when the directory accepts connections but never answers', async () => {
    const sockets = new Set<Socket>();
    const silent: Server = createServer((socket) => {
      sockets.add(socket);
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    closers.push(async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    });
    const address = silent.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    const k = await kernelFor({ url: `ldap://127.0.0.1:${address.port}`, timeoutMs: 300 });
    const started = Date.now();
    expect(await login(alice.uid, alice.password, k)).toMatchObject({ outcome: 'rejected' });
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it('validates its options at load', async () => {
    await expect(kernelFor({ userFilter: '(uid=*)' })).rejects.toThrow(/userFilter/);
  });
});
