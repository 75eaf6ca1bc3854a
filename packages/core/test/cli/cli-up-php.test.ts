import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { apacheSettings } from '@paasmaker/test-servers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli';
import { CliError } from '../../src/cli/errors';
import { UP_OPTIONAL_PLUGINS, upNodeConfig } from '../../src/cli/up-node-config';
import { NODE_TOKEN, SUPER_TOKEN } from '../node/node-test-helpers';
import { capture, gitRepo, HELLO_PHP, viaRouter } from './cli-test-helpers';

const PHP_PLUGIN = UP_OPTIONAL_PLUGINS[0].plugin;
/** The other optional plugin, absent where these tests resolve plugins from. */
const CONSOLE_OFF =
  'the web console: off — @paasmaker/console is not installed here: npm install @paasmaker/console';

describe('paasmaker up with the official plugins the machine can run', () => {
  let home: string;
  const tokens = { superToken: SUPER_TOKEN, nodeToken: NODE_TOKEN };

  beforeAll(async () => {
    home = await mkdtemp(path.join(tmpdir(), 'pm-cli-up-php-'));
    await chmod(home, 0o711);
  });
  afterAll(async () => {
    if (home) await rm(home, { recursive: true, force: true });
  });

  it('up --deploy of hello-php answers through the router (Apache and mod_php found by themselves)', async () => {
    // Apache and mod_php are installed where the PHP plugin looks by default.
    apacheSettings();
    const repo = await gitRepo(HELLO_PHP, path.join(home, 'hello-php'));
    // Instance ports of its own, above the ephemeral range: other test files run nodes too.
    const config = path.join(home, 'up.yml');
    await writeFile(config, 'roles:\n  heart:\n    ports: { min: 61350, max: 61399 }\n');
    const stdout = capture();
    const stderr = capture();
    let answer: { status: number; body: string } | undefined;
    const code = await main(
      ['up', '--data', path.join(home, 'data'), '--api-port', '0', '--router-port', '0'].concat([
        '--config',
        config,
        '--deploy',
        repo,
      ]),
      {
        stdout,
        stderr,
        env: { PAASMAKER_CONFIG_DIR: path.join(home, 'config') },
        stopSignal: async () => {
          const url = stdout.text.match(/hello-php is live: (\S+)/)?.[1];
          const router = stdout.text.match(/Router: (http:\/\/\S+)/)?.[1];
          if (url && router) answer = await viaRouter(router, url);
          return 'SIGTERM';
        },
      },
    );
    expect(stderr.text).toBe('');
    expect(code).toBe(0);
    expect(stdout.text).not.toContain('PHP apps: off');
    expect(answer?.status, stdout.text).toBe(200);
    expect(answer?.body).toMatch(/^Hello from hello-php version 1 \(PHP 8\.\d+\.\d+\)\n$/);
  }, 180_000);

  it('skips the PHP runtime with one line when it cannot be loaded', async () => {
    const lines: string[] = [];
    const config = await upNodeConfig({
      dataFolder: path.join(home, 'skip'),
      tokens,
      defaultPorts: { api: 42500, router: 42530 },
      plugins: [],
      // No node_modules there: the PHP plugin is not installed.
      resolveFrom: home,
      info: (line) => lines.push(line),
    });
    expect(lines).toEqual([
      `PHP apps: off — ${PHP_PLUGIN} is not installed here: npm install ${PHP_PLUGIN}`,
      CONSOLE_OFF,
    ]);
    expect(config.plugins.map((entry) => entry.plugin)).toEqual([
      '@paasmaker/plugin-runtime-node',
      '@paasmaker/plugin-scm-git',
    ]);
  });

  it('merges --config over its defaults; --plugin adds plugins; flags win over the file', async () => {
    const file = path.join(home, 'merge.yml');
    await writeFile(
      file,
      [
        'roles:',
        '  pacemaker: { api: { port: 9000 } }',
        '  router: { port: 9001 }',
        '  heart: { ports: { min: 61350, max: 61399 } }',
        'isolation: { mode: single-tenant }',
        'plugins:',
        `  - plugin: '@paasmaker/plugin-scm-git'`,
        '    options: { timeoutSeconds: 60 }',
        `  - plugin: '${PHP_PLUGIN}'`,
        '    options: { apacheBinary: /opt/apache/bin/httpd }',
        '',
      ].join('\n'),
    );
    const lines: string[] = [];
    const config = await upNodeConfig({
      dataFolder: path.join(home, 'merge'),
      tokens,
      apiPort: 8500,
      defaultPorts: { api: 42500, router: 42530 },
      plugins: ['@acme/paasmaker-runtime-ruby'],
      config: file,
      resolveFrom: home,
      info: (line) => lines.push(line),
    });
    // Named in the file, the PHP plugin is no longer optional: loading it reports what is wrong.
    expect(lines).toEqual([CONSOLE_OFF]);
    expect(config.plugins).toEqual([
      { plugin: '@paasmaker/plugin-runtime-node' },
      { plugin: '@paasmaker/plugin-scm-git', options: { timeoutSeconds: 60 } },
      { plugin: '@acme/paasmaker-runtime-ruby' },
      { plugin: PHP_PLUGIN, options: { apacheBinary: '/opt/apache/bin/httpd' } },
    ]);
    expect(config.roles.pacemaker).toMatchObject({ ...tokens, api: { port: 8500 } });
    expect(config.roles.router?.port).toBe(9001);
    expect(config.roles.heart).toMatchObject({
      stopInstancesOnClose: true,
      ports: { min: 61350, max: 61399 },
    });
    expect(config.isolation).toMatchObject({ mode: 'single-tenant' });

    await writeFile(file, 'dataFolder: /elsewhere\nroles: { heart: { ports: { min: 2, max: 1 } } }\n');
    const refused = await upNodeConfig({ ...upOptions(), config: file }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(CliError);
    expect((refused as Error).message).toMatch(/reads only roles, isolation, plugins .*not dataFolder/);
    await writeFile(file, 'roles: { heart: { ports: { min: "x" } } }\n');
    const invalid = await upNodeConfig({ ...upOptions(), config: file }).catch((error: unknown) => error);
    expect((invalid as Error).message).toMatch(
      /merge\.yml \(merged over paasmaker up's settings\): roles\.heart\.ports\.min: /,
    );
  });

  const upOptions = () => ({
    dataFolder: path.join(home, 'merge'),
    tokens,
    defaultPorts: { api: 42500, router: 42530 },
    plugins: [],
    resolveFrom: home,
    info: () => undefined,
  });
});
