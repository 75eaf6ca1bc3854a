import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Kernel, RuntimeInstance, RuntimeProvider } from '@paasmaker/core';
import { apacheSettings, eventually, patient } from '@paasmaker/test-servers';
import {
  describeRuntimeConformance,
  expectPaasmakerError,
  httpStatus,
  type PortRange,
  providerCall,
  testInstance,
  throwawayKernel,
} from '@paasmaker/testkit';
import { beforeEach, describe, expect, it } from 'vitest';
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

/** This file's ports (CONTRIBUTING): 65500–65535, above the ephemeral range. */
const ports: PortRange = { from: 65_500, to: 65_535 };
const { bin, modulesDir, phpModule } = apacheSettings();
const plugins = [
  {
    plugin: phpRuntimePlugin,
    options: { apacheBinary: bin, modulesDirectory: modulesDir, phpModule, stopGraceMs: 2000 },
  },
];

describeRuntimeConformance({
  runtime: PHP_RUNTIME,
  plugins,
  ports,
  waitMs: patient(30_000),
  // Apache's prefork workers are the children stop must end too.
  app: {
    files: { 'web/index.php': "<?php echo 'ok';" },
    parameters: { document_root: 'web' },
    startsChildren: true,
  },
});

describe('paasmaker.runtime.php on a real Apache with mod_php', () => {
  let kernel: Kernel;
  let php: RuntimeProvider;

  beforeEach(async () => {
    kernel = await throwawayKernel(plugins);
    php = kernel.provider('runtime', PHP_RUNTIME);
  });

  function instance(parameters: Record<string, string>): Promise<RuntimeInstance> {
    return testInstance({
      version: '8',
      parameters,
      files: { 'web/index.php': INDEX_PHP },
      environment: {
        PM_SERVICES: JSON.stringify({ db: { protocol: 'mysql', password: PASSWORD } }),
        GREETING: 'Bonjour',
        'NOT A NAME': 'ignored',
      },
      ports,
    });
  }

  it('reports the PHP versions of its mod_php, least specific first', async () => {
    const versions = await php.versions(providerCall(kernel));
    expect(versions[0]).toMatch(/^\d+$/);
    expect(versions[1]).toMatch(new RegExp(`^${versions[0]}\\.\\d+$`));
    expect(phpModule).toContain(`libphp${versions[1]}`);
  });

  it('serves the document root with mod_php, the environment in getenv() and $_SERVER, its log in the instance log', async () => {
    const app = await instance({ document_root: 'web' });
    await php.start(app, providerCall(kernel));
    try {
      await eventually(async () => expect(await httpStatus(app.port ?? 0)).toBe(200));
      const response = await fetch(`http://127.0.0.1:${app.port}/`);
      expect(await response.json()).toEqual({
        services: { db: { protocol: 'mysql', password: PASSWORD } },
        server: 'Bonjour',
        sapi: 'apache2handler',
        path: join(app.directory, 'web', 'index.php'),
      });
      expect(await readFile(app.logFile, 'utf8')).toMatch(/"GET \/ HTTP\/1.1" 200/);
    } finally {
      await php.stop(app, providerCall(kernel));
    }
  });

  it('refuses a document root outside the application', async () => {
    for (const documentRoot of ['../..', '/etc', 'web/../../x']) {
      const app = await instance({ document_root: documentRoot });
      const error = await expectPaasmakerError(php.start(app, providerCall(kernel)), 'E_INSTANCE_START');
      expect(error.message).toMatch(/^paasmaker\.runtime\.php: document_root /);
      expect(await php.status(app, providerCall(kernel))).toBe('stopped');
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
