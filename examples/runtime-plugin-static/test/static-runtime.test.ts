import { symlink, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { dirname, join } from 'node:path';
import type { RuntimeInstance } from '@paasmaker/core';
import {
  describeRuntimeConformance,
  expectPaasmakerError,
  httpStatus,
  type PortRange,
  providerCall,
  testInstance,
  throwawayKernel,
} from '@paasmaker/testkit';
import { expect, it, onTestFinished, vi } from 'vitest';
import staticRuntime from '../src/index';

const RUNTIME = 'acme.runtime.static';
/** This file's ports (CONTRIBUTING): 32000–32099, between the test servers' and the ephemeral range. */
const ports: PortRange = { from: 32_000, to: 32_099 };
const site = {
  'index.html': '<h1>home</h1>',
  'docs/guide.txt': 'the guide',
  'docs/public/index.html': 'public index',
};

describeRuntimeConformance({ runtime: RUNTIME, plugins: [staticRuntime], ports, app: { files: site } });

/** Starts an instance of the site, stopped (and its folder removed) when the test finishes. */
async function serve(parameters: { documentRoot?: string } = {}, options = {}): Promise<RuntimeInstance> {
  const kernel = await throwawayKernel([{ plugin: staticRuntime, options }]);
  const runtime = kernel.provider('runtime', RUNTIME);
  const instance = await testInstance({ version: '1', parameters, files: site, ports });
  await writeFile(join(dirname(instance.directory), 'secret.txt'), 'TOP SECRET');
  await symlink(join(dirname(instance.directory), 'secret.txt'), join(instance.directory, 'leak.txt'));
  await runtime.start(instance, providerCall(kernel));
  onTestFinished(() => runtime.stop(instance, providerCall(kernel)));
  await vi.waitFor(async () => expect(await httpStatus(instance.port ?? 0)).toBeDefined(), {
    timeout: 30_000,
  });
  return instance;
}

/** GET with the path sent verbatim (fetch would normalise `..` away). */
function rawGet(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject).end();
  });
}

it('serves the files with their content type, a 404 for a missing one', async () => {
  const { port } = await serve();
  const home = await fetch(`http://127.0.0.1:${port}/`);
  expect([home.status, home.headers.get('content-type'), home.headers.get('cache-control')]).toEqual([
    200,
    'text/html; charset=utf-8',
    'no-cache',
  ]);
  expect(await home.text()).toBe('<h1>home</h1>');
  expect(await (await fetch(`http://127.0.0.1:${port}/docs/guide.txt`)).text()).toBe('the guide');
  expect(await httpStatus(port ?? 0, '/nope.html')).toBe(404);
});

it('does not leak files outside the served folder', async () => {
  const { port } = await serve();
  for (const path of [
    '/../secret.txt',
    '/docs/../../secret.txt',
    '/%2e%2e/secret.txt',
    '/..%2fsecret.txt',
    '/leak.txt',
  ]) {
    const response = await rawGet(port ?? 0, path);
    expect([403, 404], path).toContain(response.status);
    expect(response.body, path).not.toContain('TOP SECRET');
  }
});

it('serves a documentRoot sub-folder with the cache time of its options, and refuses one that escapes', async () => {
  const { port } = await serve({ documentRoot: 'docs/public' }, { cacheSeconds: 60 });
  const response = await fetch(`http://127.0.0.1:${port}/`);
  expect(response.headers.get('cache-control')).toBe('public, max-age=60');
  expect(await response.text()).toBe('public index');
  for (const documentRoot of ['..', 'docs/../..', '/etc', 'missing']) {
    await expectPaasmakerError(serve({ documentRoot }), 'E_INSTANCE_START');
  }
});

it('validates its options when the kernel loads', async () => {
  const error = await expectPaasmakerError(
    throwawayKernel([{ plugin: staticRuntime, options: { cacheSeconds: 'soon' } }]),
    'E_PLUGIN_OPTIONS',
  );
  expect(error.message).toMatch(/^acme\.runtime\.static: \/cacheSeconds must be integer/);
  await expectPaasmakerError(
    throwawayKernel([{ plugin: staticRuntime, options: { indexFile: '../x' } }]),
    'E_PLUGIN_OPTIONS',
  );
});
