import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  apiKeyAuthPlugin,
  hashPassword,
  internalAuthPlugin,
  nodeTokenAuthPlugin,
  superTokenAuthPlugin,
} from '../../src/auth';
import type { AuthCredentials, AuthDecision } from '../../src/kernel';
import { createKernel, definePlugin, KERNEL_API_VERSION, type Kernel } from '../../src/kernel';
import { createModel, type Model, type User } from '../../src/model';
import { type ModelBackend, modelBackends, unique } from '../model/model-backends';
import { TEST_COST } from '../node/node-test-helpers';

const SUPER_TOKEN = 'super-token-0123456789abcdef0123456789';
const NODE_TOKEN = 'node-token-0123456789abcdef0123456789ab';
const PASSWORD = 'correct horse battery staple';

describe.each(modelBackends)('auth plugins on $name', ({ open }) => {
  let backend: ModelBackend;
  let model: Model;
  let kernel: Kernel;
  let now = 1_000_000;
  const sleeps: number[] = [];
  /** Credentials asked of a third-party tap at the default stage, and of a tap after every built-in one. */
  const asked: { external: AuthCredentials[]; last: AuthCredentials[] } = { external: [], last: [] };

  const spy = definePlugin({
    name: 'acme.auth.spy',
    version: '1.0.0',
    apiVersion: KERNEL_API_VERSION,
    setup(k) {
      k.hooks.auth.tapPromise('acme.auth.spy', async (c) => void asked.external.push(c));
      k.hooks.auth.tapPromise({ name: 'acme.auth.last', stage: 100 }, async (c) => void asked.last.push(c));
    },
  });

  beforeAll(async () => {
    backend = await open();
    model = await createModel(backend.options);
    kernel = await createKernel({
      plugins: [
        // Listed last-first: the stages, not the load order, decide who is asked first.
        {
          plugin: internalAuthPlugin(model, { now: () => now, sleep: async (ms) => void sleeps.push(ms) }),
          options: { failureDelayMs: 100, maxFailureDelayMs: 400 },
        },
        spy,
        apiKeyAuthPlugin(model),
        { plugin: nodeTokenAuthPlugin, options: { token: NODE_TOKEN } },
        { plugin: superTokenAuthPlugin, options: { token: SUPER_TOKEN } },
      ],
    });
  });

  afterAll(async () => {
    await kernel?.close();
    await model?.close();
    await backend?.cleanUp();
  });

  const authenticate = (credentials: AuthCredentials): Promise<AuthDecision | undefined> =>
    kernel.hooks.auth.promise(credentials);
  const login = (username: string, password = PASSWORD) =>
    authenticate({ kind: 'password', username, password });

  async function user(changes: Partial<Parameters<Model['users']['create']>[0]> = {}): Promise<User> {
    const name = unique('user');
    return model.users.create({
      login: name,
      email: `${name}@example.com`,
      name,
      ...(await hashPassword(PASSWORD, TEST_COST)), // the cost is not what these tests are about
      ...changes,
    });
  }

  it('authenticates the right password with the user id', async () => {
    const ann = await user();
    expect(await login(ann.login)).toEqual({
      outcome: 'authenticated',
      principal: { kind: 'user', userId: String(ann.id), source: 'paasmaker.auth.internal' },
    });
  });

  it('rejects a wrong password and an unknown user alike', async () => {
    const ann = await user();
    const wrong = await login(ann.login, 'not the password');
    const unknown = await login(unique('nobody'));
    expect(wrong).toEqual({ outcome: 'rejected', reason: 'unknown user or wrong password' });
    expect(unknown).toEqual(wrong);
  });

  it('rejects a disabled user, and a user without a password', async () => {
    const off = await user({ enabled: false });
    expect(await login(off.login)).toEqual({ outcome: 'rejected', reason: `user ${off.login} is disabled` });
    const bare = await user({ passwordHash: null, passwordParameters: null });
    expect(await login(bare.login, '')).toMatchObject({ outcome: 'rejected' });
  });

  it('rejects a user whose stored hash is damaged, without failing the hook', async () => {
    const bad = await user({ passwordParameters: { algorithm: 'md5', salt: 'x' } });
    expect(await login(bad.login)).toMatchObject({ outcome: 'rejected' });
  });

  it('leaves users of another auth source to other plugins', async () => {
    const ldap = await user({ authSource: 'acme.auth.ldap' });
    asked.last.length = 0;
    expect(await login(ldap.login)).toBeUndefined();
    expect(asked.last).toEqual([{ kind: 'password', username: ldap.login, password: PASSWORD }]);
  });

  it('slows down repeated failures of one login, through the injected sleep', async () => {
    const ann = await user();
    const bob = await user();
    sleeps.length = 0;
    for (let i = 0; i < 5; i += 1) await login(ann.login, 'wrong');
    expect(sleeps).toEqual([100, 200, 400, 400]); // none before the first attempt; capped at 400
    await login(bob.login, 'wrong');
    expect(sleeps).toHaveLength(4); // another login is not slowed down
    expect(await login(ann.login)).toMatchObject({ outcome: 'authenticated' }); // still waits 400 first
    expect(sleeps).toEqual([100, 200, 400, 400, 400]);
    await login(ann.login, 'wrong'); // success forgot the failures
    expect(sleeps).toHaveLength(5);
    now += 15 * 60_000 + 1; // the window passed
    await login(ann.login, 'wrong');
    expect(sleeps).toHaveLength(5);
    const nobody = unique('nobody'); // unknown logins are throttled the same way
    await login(nobody, 'x');
    await login(nobody, 'x');
    expect(sleeps).toEqual([100, 200, 400, 400, 400, 100]);
  });

  it('authenticates a valid API key, recording its use', async () => {
    const ann = await user();
    const { key, apiKey } = await model.users.issueApiKey(ann.id, 'cli');
    expect(await authenticate({ kind: 'token', token: key })).toEqual({
      outcome: 'authenticated',
      principal: { kind: 'user', userId: String(ann.id), source: 'paasmaker.auth.apikey' },
    });
    const [used] = await model.users.apiKeys(ann.id);
    expect(used?.id).toBe(apiKey.id);
    expect(used?.lastUsedAt).toBeInstanceOf(Date);
  });

  it('rejects revoked and unknown API keys, and keys of disabled users', async () => {
    const ann = await user();
    const { key, apiKey } = await model.users.issueApiKey(ann.id);
    await model.users.revokeApiKey(apiKey.id);
    const rejected = { outcome: 'rejected', reason: 'unknown or revoked API key' };
    expect(await authenticate({ kind: 'token', token: key })).toEqual(rejected);
    const forged = `${key.slice(0, -4)}AAAA`;
    expect(await authenticate({ kind: 'token', token: forged })).toEqual(rejected);
    const off = await user({ enabled: false });
    const { key: offKey } = await model.users.issueApiKey(off.id);
    expect(await authenticate({ kind: 'token', token: offKey })).toEqual({
      outcome: 'rejected',
      reason: `user ${off.login} is disabled`,
    });
  });

  it('authenticates the super and node tokens, and passes other tokens on', async () => {
    expect(await authenticate({ kind: 'token', token: SUPER_TOKEN })).toEqual({
      outcome: 'authenticated',
      principal: { kind: 'super', source: 'paasmaker.auth.supertoken' },
    });
    expect(await authenticate({ kind: 'token', token: NODE_TOKEN })).toEqual({
      outcome: 'authenticated',
      principal: { kind: 'node', source: 'paasmaker.auth.nodetoken' },
    });
    asked.last.length = 0;
    const near = `${SUPER_TOKEN.slice(0, -1)}x`;
    expect(await authenticate({ kind: 'token', token: near })).toBeUndefined();
    expect(await authenticate({ kind: 'token', token: SUPER_TOKEN.slice(0, 8) })).toBeUndefined();
    expect(asked.last.map((c) => c.kind === 'token' && c.token)).toEqual([near, SUPER_TOKEN.slice(0, 8)]);
  });

  it('asks cluster tokens first: a super or node token never reaches the model or a later plugin', async () => {
    const findApiKey = vi.spyOn(model.users, 'findApiKey');
    const findByLogin = vi.spyOn(model.users, 'findByLogin');
    asked.external.length = 0;
    asked.last.length = 0;
    try {
      await authenticate({ kind: 'token', token: SUPER_TOKEN });
      await authenticate({ kind: 'token', token: NODE_TOKEN });
      expect(findApiKey).not.toHaveBeenCalled();
      expect(findByLogin).not.toHaveBeenCalled();
      expect(asked).toEqual({ external: [], last: [] });
      // A password is asked of a third-party plugin at the default stage before the internal one.
      const ann = await user();
      await login(ann.login);
      expect(asked.external).toHaveLength(1);
      expect(findByLogin).toHaveBeenCalledTimes(1);
      expect(asked.last).toEqual([]);
    } finally {
      findApiKey.mockRestore();
      findByLogin.mockRestore();
    }
  });

  it('refuses cluster tokens shorter than 32 characters at load', async () => {
    await expect(
      createKernel({ plugins: [{ plugin: superTokenAuthPlugin, options: { token: 'short' } }] }),
    ).rejects.toMatchObject({ code: 'E_PLUGIN_OPTIONS' });
    await expect(createKernel({ plugins: [nodeTokenAuthPlugin] })).rejects.toMatchObject({
      code: 'E_PLUGIN_OPTIONS',
    });
  });
});
