import { stat } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isPaasmakerError } from '../../src/kernel';
import { DEFAULT_API_PORT, loadNodeConfig, NodeConfigError, parseNodeConfig } from '../../src/node';
import { NODE_TOKEN, problemsOf, SUPER_TOKEN, tempFolder } from './node-test-helpers';

const valid = `name: pm1
dataFolder: ./data
roles:
  pacemaker:
    superToken: ${SUPER_TOKEN}
    nodeToken: ${NODE_TOKEN}
plugins:
  - plugin: '@acme/paasmaker-runtime-ruby'
    options: { rubyBinary: /usr/bin/ruby }
`;

describe('node config', () => {
  it('parses a valid file, fills defaults and resolves paths against its folder', async () => {
    const dir = await tempFolder();
    try {
      const file = await dir.write('paasmaker.yml', valid);
      expect((await stat(file)).mode & 0o777).toBe(0o600);
      const config = await loadNodeConfig(file);
      expect(config).toMatchObject({
        file,
        baseDir: dir.folder,
        name: 'pm1',
        dataFolder: path.join(dir.folder, 'data'),
        logLevel: 'info',
        plugins: [{ plugin: '@acme/paasmaker-runtime-ruby', options: { rubyBinary: '/usr/bin/ruby' } }],
      });
      expect(config.roles.pacemaker).toEqual({
        database: path.join(dir.folder, 'data', 'pacemaker.db'),
        jobStore: 'sql',
        superToken: SUPER_TOKEN,
        nodeToken: NODE_TOKEN,
        nodeReportIntervalMs: 2_000,
        api: { host: '127.0.0.1', port: DEFAULT_API_PORT },
        clusterHostname: 'paasmaker.localhost',
        drainMs: 1000,
        routerConfirmMs: 10_000,
        health: {
          enabled: true,
          downAfterReports: 3,
          intervalMs: 5000,
          failingAfterErrors: 3,
          replaceBackoffMs: 30_000,
          replaceBackoffMaxMs: 600_000,
          checks: {},
        },
      });
    } finally {
      await dir.remove();
    }
  });

  it('fills the heart and router roles with their defaults, and checks their ports', () => {
    const withRoles = (roles: string) => valid.replace('plugins:', `${roles}plugins:`);
    const config = parseNodeConfig(withRoles('  heart: {}\n  router: {}\n'), 'x.yml');
    expect(config.roles.heart).toEqual({
      route: '127.0.0.1',
      ports: { min: 42600, max: 42699 },
      stopInstancesOnClose: false,
    });
    expect(config.roles.router).toEqual({ host: '127.0.0.1', port: 42530, connectTimeoutMs: 1500 });
    const problems = problemsOf(() =>
      parseNodeConfig(withRoles('  heart: { ports: { min: 80 } }\n'), 'x.yml'),
    ).problems.map((p) => p.key);
    expect(problems).toContain('roles.heart.ports.min');
  });

  it('takes an nginx router on a node of its own, and refuses a Redis URL with a password for it', () => {
    const routerOnly = (redis: string) =>
      `dataFolder: ./r\nroles:\n  router:\n    port: 8080\n    nginx: { redis: '${redis}' }\n`;
    expect(parseNodeConfig(routerOnly('redis://127.0.0.1:6380'), 'r.yml').roles.router).toEqual({
      host: '127.0.0.1',
      port: 8080,
      connectTimeoutMs: 1500,
      nginx: {
        redis: 'redis://127.0.0.1:6380',
        binary: 'nginx',
        modulesDirectory: '/usr/lib/nginx/modules',
        workerProcesses: 1,
      },
    });
    const problems = problemsOf(() => parseNodeConfig(routerOnly('redis://:secret@127.0.0.1:6380'), 'r.yml'));
    expect(problems.problems.map((p) => p.key)).toEqual(['roles.router.nginx.redis']);
  });

  it('keeps a PostgreSQL URL and a Redis job store as they are', () => {
    const config = parseNodeConfig(
      valid.replace(
        '    superToken',
        '    database: postgres://pm@db:5432/pm\n    jobStore: redis://jobs:42513\n    superToken',
      ),
    );
    expect(config.roles.pacemaker?.database).toBe('postgres://pm@db:5432/pm');
    expect(config.roles.pacemaker?.jobStore).toBe('redis://jobs:42513');
  });

  it('takes secrets from env references, anywhere in a string; a doubled $ is a literal', () => {
    const text = valid
      .replace(SUPER_TOKEN, `'\${env:PM_SUPER}'`)
      .replace(NODE_TOKEN, () => `'$\${env:x}\${env:PM_NODE}'`);
    const config = parseNodeConfig(text, 'pm.yml', { env: { PM_SUPER: SUPER_TOKEN, PM_NODE: NODE_TOKEN } });
    expect(config.roles.pacemaker?.superToken).toBe(SUPER_TOKEN);
    expect(config.roles.pacemaker?.nodeToken).toBe(`\${env:x}${NODE_TOKEN}`);
  });

  it('names the file, line and key of an unset environment variable', () => {
    const error = problemsOf(() =>
      parseNodeConfig(valid.replace(SUPER_TOKEN, `\${env:PM_MISSING_SUPER}`), 'pm.yml', { env: {} }),
    );
    expect(error.problems).toEqual([
      {
        file: 'pm.yml',
        line: 5,
        key: 'roles.pacemaker.superToken',
        message: 'environment variable PM_MISSING_SUPER is not set',
      },
    ]);
  });

  it('reports wrong types, unknown keys and missing keys all at once, with file, line and key', () => {
    const text = `name: pm1
dataFolder: 42
colour: blue
roles:
  pacemaker:
    nodeToken: ${NODE_TOKEN}
    api:
      port: eighty
      tls: true
plugins:
  - options: {}
`;
    const error = problemsOf(() => parseNodeConfig(text, 'bad.yml'));
    expect(error).toBeInstanceOf(NodeConfigError);
    expect(isPaasmakerError(error, 'E_CONFIG_INVALID')).toBe(true);
    expect(error.problems.map(({ line, key, message }) => ({ line, key, message }))).toEqual([
      { line: 2, key: 'dataFolder', message: 'must be string' },
      {
        line: 3,
        key: 'colour',
        message: 'unknown key; allowed: name, dataFolder, logLevel, roles, isolation, plugins',
      },
      { line: 5, key: 'roles.pacemaker.superToken', message: 'is required' },
      { line: 8, key: 'roles.pacemaker.api.port', message: 'must be integer' },
      { line: 9, key: 'roles.pacemaker.api.tls', message: 'unknown key; allowed: host, port' },
      { line: 11, key: 'plugins[0].plugin', message: 'is required' },
    ]);
    expect(error.message).toContain('bad.yml: 6 problems: bad.yml:2: dataFolder: must be string;');
    expect(error.message).toContain('bad.yml:8: roles.pacemaker.api.port: must be integer');
  });

  it('rejects unknown roles, short tokens, an empty file and YAML syntax errors', () => {
    expect(
      problemsOf(() => parseNodeConfig('dataFolder: d\nroles:\n  web: {}\n', 'x.yml')).problems.map((p) => [
        p.line,
        p.key,
      ]),
    ).toEqual([[3, 'roles.web']]);
    const short = problemsOf(() => parseNodeConfig(valid.replace(SUPER_TOKEN, 'short'), 'x.yml'));
    expect(short.problems).toMatchObject([{ line: 5, key: 'roles.pacemaker.superToken' }]);
    expect(problemsOf(() => parseNodeConfig('', 'x.yml')).problems).toMatchObject([
      { line: 1, key: '(top level)', message: 'must be object' },
    ]);
    const syntax = problemsOf(() => parseNodeConfig('dataFolder: d\ndataFolder: e\nroles: [\n', 'x.yml'));
    expect(syntax.problems[0]).toMatchObject({ file: 'x.yml', line: 2, key: '(syntax)' });
  });

  it('refuses aliases that expand without bound as a syntax problem', () => {
    const refs = (name: string) => Array(10).fill(`*${name}`).join(', ');
    const bomb = `a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [${refs('a')}]\nc: [${refs('b')}]\n`;
    const error = problemsOf(() => parseNodeConfig(bomb, 'x.yml'));
    expect(isPaasmakerError(error, 'E_CONFIG_INVALID')).toBe(true);
    expect(error.problems).toMatchObject([{ file: 'x.yml', line: 1, key: '(syntax)' }]);
    expect(error.problems[0]?.message).toContain('alias');
  });

  it('fails with E_CONFIG_UNREADABLE for a missing file', async () => {
    await expect(loadNodeConfig('/nonexistent/paasmaker.yml')).rejects.toMatchObject({
      code: 'E_CONFIG_UNREADABLE',
    });
  });
});
