import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createKernel,
  isPaasmakerError,
  type Kernel,
  type ProviderCall,
  type RuntimeInstance,
  type RuntimeProvider,
} from '@paasmaker/core';
import { apacheSettings } from '@paasmaker/test-servers';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import phpRuntimePlugin, { PHP_RUNTIME } from '../src/index';

// An app that shows what PHP was given.
const INDEX_PHP = `<?php
header('content-type: application/json');
echo json_encode([
  'services' => json_decode(getenv('PM_SERVICES'), true),
  'server' => $_SERVER['GREETING'] ?? null,
  'sapi' => PHP_SAPI,
  'path' => $_SERVER['SCRIPT_FILENAME'],
]);
`;

/** Quotes and a backslash, which must reach PHP unchanged. */
const PASSWORD = `a"b'c\\d`;

/** Ports 65500–65535 are this file's (see CONTRIBUTING: above the ephemeral range, a block per file). */
let nextPort = 65_500 + Math.floor(Math.random() * 20);

function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function until(check: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > ms) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('paasmaker.runtime.php on a real Apache with mod_php', () => {
  let folder: string;
  let kernel: Kernel;
  let php: RuntimeProvider;
  const started: RuntimeInstance[] = [];
  const call = (): ProviderCall => ({ log: kernel.log, signal: new AbortController().signal });

  beforeEach(async () => {
    folder = await mkdtemp(join(tmpdir(), 'pm-php-'));
    // When the tests run as root, Apache's workers run as nobody, who must reach the app.
    await chmod(folder, 0o755);
    const { bin, modulesDir, phpModule } = apacheSettings();
    kernel = await createKernel({
      plugins: [
        {
          plugin: phpRuntimePlugin,
          options: { apacheBinary: bin, modulesDirectory: modulesDir, phpModule, stopGraceMs: 2000 },
        },
      ],
    });
    php = kernel.hooks.runtime.find(PHP_RUNTIME) ?? expect.unreachable();
  });
  afterEach(async () => {
    for (const instance of started.splice(0)) await php.stop(instance, call());
    await kernel.close();
    await rm(folder, { recursive: true, force: true });
  });

  async function instance(parameters: Record<string, string> = {}, files: Record<string, string> = {}) {
    const directory = join(folder, `app-${nextPort}`);
    for (const [name, text] of Object.entries({ 'web/index.php': INDEX_PHP, ...files })) {
      await mkdir(join(directory, name, '..'), { recursive: true });
      await writeFile(join(directory, name), text);
    }
    const made: RuntimeInstance = {
      instanceId: `php-${nextPort}`,
      directory,
      stateDirectory: join(folder, `state-${nextPort}`),
      port: nextPort++,
      version: '8',
      parameters,
      environment: {
        PM_SERVICES: JSON.stringify({ db: { protocol: 'mysql', password: PASSWORD } }),
        GREETING: 'Bonjour',
        'NOT A NAME': 'ignored',
      },
      logFile: join(folder, `instance-${nextPort}.log`),
    };
    return made;
  }

  it('reports the PHP versions of its mod_php, least specific first', async () => {
    const versions = await php.versions(call());
    expect(versions[0]).toMatch(/^\d+$/);
    expect(versions[1]).toMatch(new RegExp(`^${versions[0]}\\.\\d+$`));
    expect(apacheSettings().phpModule).toContain(`libphp${versions[1]}`);
  });

  it('serves the document root on the port with mod_php, the environment in getenv() and $_SERVER', async () => {
    const app = await instance({ document_root: 'web' });
    await php.start(app, call());
    started.push(app);
    await until(() => answers(app.port ?? 0));
    const response = await fetch(`http://127.0.0.1:${app.port}/`);
    expect(await response.json()).toEqual({
      services: { db: { protocol: 'mysql', password: PASSWORD } },
      server: 'Bonjour',
      sapi: 'apache2handler',
      path: join(app.directory, 'web', 'index.php'),
    });
    expect(await php.status(app, call())).toBe('running');
    expect(await readFile(app.logFile, 'utf8')).toMatch(/"GET \/ HTTP\/1.1" 200/);

    await php.stop(app, call());
    started.pop();
    expect(await php.status(app, call())).toBe('stopped');
    expect(await answers(app.port ?? 0)).toBe(false);
    await php.stop(app, call());
  });

  it('starting a running instance again leaves it running as it was', async () => {
    const app = await instance({ document_root: 'web' });
    await php.start(app, call());
    started.push(app);
    await until(() => answers(app.port ?? 0));
    await php.start(app, call());
    expect(await (await fetch(`http://127.0.0.1:${app.port}/`)).text()).toContain('apache2handler');
  });

  it('refuses a document root outside the application', async () => {
    for (const documentRoot of ['../..', '/etc', 'web/../../x']) {
      const app = await instance({ document_root: documentRoot });
      const error = await php.start(app, call()).catch((e: unknown) => e);
      expect(isPaasmakerError(error, 'E_INSTANCE_START')).toBe(true);
      expect(await php.status(app, call())).toBe('stopped');
    }
  });

  it('refuses a document_root parameter of the wrong type through its schema', async () => {
    const { Ajv } = await import('ajv');
    const validate = new Ajv().compile(php.parametersSchema ?? {});
    expect(validate({ document_root: 'public' })).toBe(true);
    expect(validate({ document_root: 5 })).toBe(false);
    expect(validate({ docroot: 'public' })).toBe(false);
  });
});
