import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ldapSettings, redisUrl, requireServerEnv } from '../src/index.mjs';

describe('requireServerEnv', () => {
  let savedEnv: NodeJS.ProcessEnv;

  beforeEach(() => {
    savedEnv = { ...process.env };
  });

  afterEach(() => {
    for (const key of Object.keys(process.env)) {
      if (!(key in savedEnv)) delete process.env[key];
    }
    Object.assign(process.env, savedEnv);
  });

  it('throws how to get Redis when its URL is not set', () => {
    delete process.env.PAASMAKER_TEST_REDIS_URL;
    expect(() => requireServerEnv('redis')).toThrow(
      'Redis is not running for the tests: run `npm test` from the repository root (it installs and starts every server), or start one yourself and set PAASMAKER_TEST_REDIS_URL=redis://127.0.0.1:<port>',
    );
    expect(() => redisUrl()).toThrow('Redis is not running for the tests');
  });

  it('treats an empty value as not set', () => {
    process.env.PAASMAKER_TEST_POSTGRES_URL = '';
    expect(() => requireServerEnv('postgres')).toThrow(
      'PostgreSQL is not running for the tests: run `npm test`',
    );
  });

  it('says how to enable a server that the tests do not start yet', async () => {
    // Every server is in use today; a list without nginx stands for the day one is not.
    vi.resetModules();
    vi.doMock('../src/servers-used-by-tests.mjs', () => ({ serversUsedByTests: ['redis'] }));
    try {
      const { requireServerEnv: withFewerServers } = await import('../src/require-server.mjs');
      delete process.env.PAASMAKER_TEST_NGINX_URL;
      expect(() => withFewerServers('nginx', 'PAASMAKER_TEST_NGINX_URL')).toThrow(
        "add 'nginx' to tools/test-servers/src/servers-used-by-tests.mjs",
      );
    } finally {
      vi.doUnmock('../src/servers-used-by-tests.mjs');
      vi.resetModules();
    }
  });

  it('returns the values when they are set', () => {
    process.env.PAASMAKER_TEST_REDIS_URL = 'redis://127.0.0.1:20001';
    process.env.PAASMAKER_TEST_LDAP_URL = 'ldap://127.0.0.1:20002';
    process.env.PAASMAKER_TEST_LDAP_BIND_DN = 'cn=admin,dc=paasmaker,dc=test';
    process.env.PAASMAKER_TEST_LDAP_BIND_PASSWORD = 'secret';
    process.env.PAASMAKER_TEST_LDAP_BASE_DN = 'dc=paasmaker,dc=test';
    expect(requireServerEnv('redis')).toBe('redis://127.0.0.1:20001');
    expect(ldapSettings()).toEqual({
      url: 'ldap://127.0.0.1:20002',
      bindDn: 'cn=admin,dc=paasmaker,dc=test',
      bindPassword: 'secret',
      baseDn: 'dc=paasmaker,dc=test',
    });
  });
});
