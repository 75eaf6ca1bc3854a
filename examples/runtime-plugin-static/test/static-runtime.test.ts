import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createKernel,
  isPaasmakerError,
  type Kernel,
  type ProviderCall,
  type RuntimeInstance,
} from '@paasmaker/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import staticRuntime from '../src/index';

const RUNTIME = 'acme.runtime.static';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** GET with the path sent verbatim (fetch would normalise `..` away). */
function rawGet(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'GET', agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

function connects(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

describe('acme.runtime.static', () => {
  let dir: string;
  let site: string;
  let kernel: Kernel | undefined;
  const call = (): ProviderCall => ({
    log: kernel?.log ?? expect.unreachable(),
    signal: AbortSignal.timeout(10_000),
  });

  async function instance(parameters: RuntimeInstance['parameters'] = {}): Promise<RuntimeInstance> {
    return {
      instanceId: crypto.randomUUID(),
      directory: site,
      stateDirectory: join(dir, 'state'),
      port: await freePort(),
      version: '1',
      parameters,
      environment: {},
      logFile: join(dir, 'instance.log'),
    };
  }

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'static-runtime-'));
    site = join(dir, 'site');
    await mkdir(join(site, 'docs', 'public'), { recursive: true });
    await writeFile(join(site, 'index.html'), '<h1>home</h1>');
    await writeFile(join(site, 'docs', 'guide.txt'), 'the guide');
    await writeFile(join(site, 'docs', 'public', 'index.html'), 'public index');
    await writeFile(join(dir, 'secret.txt'), 'TOP SECRET');
    await symlink(join(dir, 'secret.txt'), join(site, 'leak.txt'));
  });

  afterEach(async () => {
    await kernel?.close();
    kernel = undefined;
    await rm(dir, { recursive: true, force: true });
  });

  it('serves the instance folder over HTTP, then stops', async () => {
    kernel = await createKernel({ plugins: [staticRuntime] });
    expect(kernel.plugins).toEqual([{ name: RUNTIME, version: '1.0.0' }]);
    const runtime = kernel.provider('runtime', RUNTIME);
    expect(await runtime.versions(call())).toEqual(['1']);

    const inst = await instance();
    expect(await runtime.status(inst, call())).toBe('stopped');
    await runtime.start(inst, call());
    expect(await runtime.status(inst, call())).toBe('running');

    const home = await fetch(`http://127.0.0.1:${inst.port}/`);
    expect(home.status).toBe(200);
    expect(home.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(home.headers.get('cache-control')).toBe('no-cache');
    expect(await home.text()).toBe('<h1>home</h1>');

    const guide = await fetch(`http://127.0.0.1:${inst.port}/docs/guide.txt`);
    expect(guide.status).toBe(200);
    expect(await guide.text()).toBe('the guide');

    const missing = await fetch(`http://127.0.0.1:${inst.port}/nope.html`);
    expect(missing.status).toBe(404);
    await missing.body?.cancel();

    await runtime.stop(inst, call());
    expect(await runtime.status(inst, call())).toBe('stopped');
    expect(await connects(inst.port ?? 0)).toBe(false);
    await expect(runtime.stop(inst, call())).resolves.toBeUndefined();
  });

  it('does not leak files outside the served folder', async () => {
    kernel = await createKernel({ plugins: [staticRuntime] });
    const runtime = kernel.provider('runtime', RUNTIME);
    const inst = await instance();
    await runtime.start(inst, call());
    for (const path of [
      '/../secret.txt',
      '/docs/../../secret.txt',
      '/%2e%2e/secret.txt',
      '/..%2fsecret.txt',
      '/leak.txt',
    ]) {
      const response = await rawGet(inst.port ?? 0, path);
      expect([403, 404], path).toContain(response.status);
      expect(response.body, path).not.toContain('TOP SECRET');
    }
  });

  it('serves a documentRoot sub-folder and refuses one that escapes', async () => {
    kernel = await createKernel({ plugins: [{ plugin: staticRuntime, options: { cacheSeconds: 60 } }] });
    const runtime = kernel.provider('runtime', RUNTIME);
    const inst = await instance({ documentRoot: 'docs/public' });
    await runtime.start(inst, call());
    const response = await fetch(`http://127.0.0.1:${inst.port}/`);
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('public, max-age=60');
    expect(await response.text()).toBe('public index');

    for (const documentRoot of ['..', 'docs/../..', '/etc']) {
      const escaping = await instance({ documentRoot });
      await expect(runtime.start(escaping, call()), documentRoot).rejects.toThrow(/documentRoot/);
      expect(await runtime.status(escaping, call())).toBe('stopped');
      expect(await connects(escaping.port ?? 0)).toBe(false);
    }
  });

  it('validates its options when the kernel loads', async () => {
    const failure = createKernel({
      plugins: [{ plugin: staticRuntime, options: { cacheSeconds: 'soon' } }],
    });
    await expect(failure).rejects.toSatisfy((error: unknown) => isPaasmakerError(error, 'E_PLUGIN_OPTIONS'));
    await expect(failure).rejects.toMatchObject({ code: 'E_PLUGIN_OPTIONS' });
    await expect(failure).rejects.toThrow(/^acme\.runtime\.static: \/cacheSeconds must be integer/);

    await expect(
      createKernel({ plugins: [{ plugin: staticRuntime, options: { cacheSeconds: -1 } }] }),
    ).rejects.toMatchObject({ code: 'E_PLUGIN_OPTIONS', message: expect.stringContaining('/cacheSeconds') });
  });

  it('stops servers left running when the kernel closes', async () => {
    kernel = await createKernel({ plugins: [staticRuntime] });
    const runtime = kernel.provider('runtime', RUNTIME);
    const first = await instance();
    const second = await instance();
    await runtime.start(first, call());
    await runtime.start(second, call());
    expect(await connects(first.port ?? 0)).toBe(true);
    expect(await connects(second.port ?? 0)).toBe(true);

    await kernel.close();
    expect(await connects(first.port ?? 0)).toBe(false);
    expect(await connects(second.port ?? 0)).toBe(false);
    expect(await runtime.status(first, call())).toBe('stopped');
    await kernel.close(); // safe twice
  });
});
