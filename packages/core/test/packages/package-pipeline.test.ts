import { once } from 'node:events';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import {
  constantTimeEqual,
  createKernel,
  isPaasmakerError,
  type Kernel,
  type ProviderCall,
} from '@paasmaker/core';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { packagePipelinePlugin } from '../../src/packages/package-pipeline-plugin';
import { openStoredPackage } from '../../src/packages/stored-package';
import { useTempFolders } from './tar-fixture';

const NODE_TOKEN = 'node-token-0123456789abcdef0123456789abcdef';
const tempFolder = useTempFolders();
const call = (signal = new AbortController().signal): ProviderCall => ({
  log: pino({ enabled: false }),
  signal,
});

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

/** A package route like the pacemaker's: bearer node token, stored packages by name. */
async function startPackageServer(
  directory: string,
  onRequest?: () => void,
): Promise<{ server: Server; url: string }> {
  const server = createServer((request, response) => {
    onRequest?.();
    const token = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1] ?? '';
    if (!constantTimeEqual(token, NODE_TOKEN)) {
      response.writeHead(401).end();
      return;
    }
    const name = decodeURIComponent((request.url ?? '').replace(/^\/packages\//, ''));
    openStoredPackage(directory, name).then(
      async ({ stream, bytes }) => {
        response.writeHead(200, { 'content-type': 'application/gzip', 'content-length': bytes });
        await pipeline(stream, response);
      },
      () => response.writeHead(404).end(),
    );
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  closers.push(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${port}/packages` };
}

async function pipelineKernel(
  root: string,
  nodeToken = NODE_TOKEN,
): Promise<{ kernel: Kernel; store: string; url: string }> {
  const store = path.join(root, 'store');
  const { url } = await startPackageServer(store);
  const kernel = await createKernel({
    plugins: [packagePipelinePlugin({ directory: store, publicUrl: url, nodeToken })],
  });
  closers.push(() => kernel.close());
  return { kernel, store, url };
}

async function sampleApp(root: string): Promise<string> {
  const app = path.join(root, 'work');
  await mkdir(path.join(app, 'src'), { recursive: true });
  await writeFile(path.join(app, 'src', 'server.js'), 'require("http")\n');
  await writeFile(path.join(app, '.npmrc'), 'fund=false\n');
  return app;
}

describe('default package pipeline through the kernel hooks', () => {
  it('packs, stores, fetches over HTTP with the node token, and unpacks', async () => {
    const root = await tempFolder();
    const { kernel, store, url } = await pipelineKernel(root);
    const packed = await kernel
      .provider('packer', 'default')
      .pack({ directory: await sampleApp(root), destinationPrefix: path.join(root, 'build', 'v1') }, call());
    expect(packed).toMatchObject({ packageType: 'tarball', file: path.join(root, 'build', 'v1.tar.gz') });

    const stored = await kernel.provider('storer', 'default').store(packed, call());
    expect(stored.url).toBe(`${url}/${packed.checksum}.tar.gz`);
    expect(await readdir(store)).toEqual([`${packed.checksum}.tar.gz`]);
    expect(await kernel.provider('storer', 'default').store(packed, call())).toEqual(stored);

    const scheme = new URL(stored.url).protocol.replace(':', '');
    const destination = path.join(root, 'heart', 'packages', 'v1.tar.gz');
    await kernel
      .provider('fetcher', scheme)
      .fetch({ url: stored.url, checksum: packed.checksum, destination }, call());
    expect(await readdir(path.dirname(destination))).toEqual(['v1.tar.gz']);

    const instance = path.join(root, 'heart', 'instances', 'i-1');
    await kernel
      .provider('unpacker', packed.packageType)
      .unpack({ file: destination, targetDirectory: instance }, call());
    expect(await readFile(path.join(instance, 'src', 'server.js'), 'utf8')).toBe('require("http")\n');
    expect(await readFile(path.join(instance, '.npmrc'), 'utf8')).toBe('fund=false\n');
    expect(kernel.hooks.fetcher.names()).toEqual(['http', 'https']);
  });

  it('fails with E_PACKAGE_FETCH and the status when the token is refused', async () => {
    const root = await tempFolder();
    const good = await pipelineKernel(root);
    const packed = await good.kernel
      .provider('packer', 'default')
      .pack({ directory: await sampleApp(root), destinationPrefix: path.join(root, 'v1') }, call());
    const { url } = await good.kernel.provider('storer', 'default').store(packed, call());

    const wrong = await createKernel({
      plugins: [
        packagePipelinePlugin({ directory: good.store, publicUrl: good.url, nodeToken: 'x'.repeat(40) }),
      ],
    });
    closers.push(() => wrong.close());
    const destination = path.join(root, 'heart', 'v1.tar.gz');
    const error = await wrong
      .provider('fetcher', 'http')
      .fetch({ url, checksum: packed.checksum, destination }, call())
      .catch((e: unknown) => e);
    expect(isPaasmakerError(error, 'E_PACKAGE_FETCH')).toBe(true);
    expect((error as Error).message).toContain('401');
    expect((error as Error).message).not.toContain('x'.repeat(40));
    expect(await readdir(root)).not.toContain('heart');

    const missing = await good.kernel
      .provider('fetcher', 'http')
      .fetch({ url: `${good.url}/${'0'.repeat(64)}.tar.gz`, checksum: packed.checksum, destination }, call())
      .catch((e: unknown) => e);
    expect(isPaasmakerError(missing, 'E_PACKAGE_FETCH')).toBe(true);
    expect((missing as Error).message).toContain('404');
  });

  it('refuses and deletes a download whose checksum does not match', async () => {
    const root = await tempFolder();
    const { kernel } = await pipelineKernel(root);
    const packed = await kernel
      .provider('packer', 'default')
      .pack({ directory: await sampleApp(root), destinationPrefix: path.join(root, 'v1') }, call());
    const { url } = await kernel.provider('storer', 'default').store(packed, call());
    const heart = path.join(root, 'heart');
    const error = await kernel
      .provider('fetcher', 'http')
      .fetch({ url, checksum: 'f'.repeat(64), destination: path.join(heart, 'v1.tar.gz') }, call())
      .catch((e: unknown) => e);
    expect(isPaasmakerError(error, 'E_PACKAGE_CHECKSUM')).toBe(true);
    expect(await readdir(heart)).toEqual([]);
  });

  it('stops a download when the call is aborted, leaving no file', async () => {
    const root = await tempFolder();
    const controller = new AbortController();
    const { url } = await startPackageServer(path.join(root, 'never'), () => controller.abort());
    const kernel = await createKernel({
      plugins: [packagePipelinePlugin({ directory: root, publicUrl: url, nodeToken: NODE_TOKEN })],
    });
    closers.push(() => kernel.close());
    const heart = path.join(root, 'heart');
    const error = await kernel
      .provider('fetcher', 'http')
      .fetch(
        {
          url: `${url}/${'a'.repeat(64)}.tar.gz`,
          checksum: 'a'.repeat(64),
          destination: path.join(heart, 'p'),
        },
        call(controller.signal),
      )
      .catch((e: unknown) => e);
    expect(controller.signal.aborted).toBe(true);
    expect(error).toBeInstanceOf(Error);
    expect(await readdir(root)).not.toContain('heart');
  });

  it('refuses to store a package whose file no longer matches its checksum', async () => {
    const root = await tempFolder();
    const { kernel, store } = await pipelineKernel(root);
    const packed = await kernel
      .provider('packer', 'default')
      .pack({ directory: await sampleApp(root), destinationPrefix: path.join(root, 'v1') }, call());
    await writeFile(packed.file, 'tampered');
    const error = await kernel
      .provider('storer', 'default')
      .store(packed, call())
      .catch((e: unknown) => e);
    expect(isPaasmakerError(error, 'E_PACKAGE_CHECKSUM')).toBe(true);
    expect(await readdir(store)).toEqual([]);
  });

  it('removes a stored package by its URL, and leaves alone a URL that is not one of its packages', async () => {
    const root = await tempFolder();
    const { kernel, store, url } = await pipelineKernel(root);
    const packed = await kernel
      .provider('packer', 'default')
      .pack({ directory: await sampleApp(root), destinationPrefix: path.join(root, 'v1') }, call());
    const storer = kernel.provider('storer', 'default');
    const stored = await storer.store(packed, call());
    await writeFile(path.join(store, 'keep.txt'), 'not a package');
    for (const other of [
      `${url}/keep.txt`,
      `${url}/../store/keep.txt`,
      `http://elsewhere/${packed.checksum}.tar.gz`,
    ])
      await storer.remove?.(other, call());
    expect((await readdir(store)).sort()).toEqual([`${packed.checksum}.tar.gz`, 'keep.txt']);
    await storer.remove?.(stored.url, call());
    expect(await readdir(store)).toEqual(['keep.txt']);
    // Gone already: removing it again is done.
    await storer.remove?.(stored.url, call());
  });
});

describe('openStoredPackage', () => {
  it('opens a stored package by its plain name', async () => {
    const root = await tempFolder();
    const name = `${'b'.repeat(64)}.tar.gz`;
    await writeFile(path.join(root, name), 'package bytes');
    const { stream, bytes } = await openStoredPackage(root, name);
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks).toString()).toBe('package bytes');
    expect(bytes).toBe(13);
  });

  it.each([
    '../x',
    'x.tar.gz',
    `../${'b'.repeat(64)}.tar.gz`,
    `${'B'.repeat(64)}.tar.gz`,
    `${'b'.repeat(64)}.tar.gz/`,
    `${'c'.repeat(64)}.tar.gz`,
  ])('answers E_PACKAGE_NOT_FOUND for %s', async (name) => {
    const root = await tempFolder();
    await writeFile(path.join(root, 'x.tar.gz'), 'not a stored name');
    const error = await openStoredPackage(path.join(root), name).catch((e: unknown) => e);
    expect(isPaasmakerError(error, 'E_PACKAGE_NOT_FOUND')).toBe(true);
  });
});
