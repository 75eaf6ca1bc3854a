import { readFileSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createKernel,
  isPaasmakerError,
  type Kernel,
  type ProviderCall,
  type RuntimeInstance,
  type RuntimeProvider,
  readProcessRecord,
} from '@paasmaker/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import nodeRuntimePlugin from '../src/index';

const RUNTIME = 'paasmaker.runtime.node';

/** An HTTP app answering `hello <APP_NAME>`; extra code is run before it listens. */
function serverJs(extra = ''): string {
  return `const http = require('node:http');
${extra}
http.createServer((req, res) => res.end('hello ' + process.env.APP_NAME))
  .listen(Number(process.env.PORT), '127.0.0.1', () => console.log('listening on ' + process.env.PORT));
`;
}

/**
 * A free port from 61600–61999: above Linux's ephemeral range, so that no other process of the
 * test run is handed it while a test checks that a stopped app released it.
 */
async function freePort(): Promise<number> {
  for (;;) {
    const port = 61_600 + Math.floor(Math.random() * 400);
    if (await portIsFree(port)) return port;
  }
}

/** What a connection to `port` gets: `refused`, `accepted`, or another error's code. */
function connectOutcome(port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve('accepted');
    });
    socket.once('error', (error: NodeJS.ErrnoException) =>
      resolve(error.code === 'ECONNREFUSED' ? 'refused' : String(error.code)),
    );
  });
}

/**
 * `refused` when nothing listens on `port`, `accepted` when something does. Another error (a
 * reset on a loaded machine) says neither, so it asks again, up to a second. (Binding the port
 * may still fail for a while after the app exits: the kernel keeps the app's closed connections
 * until their peers, here fetch's keep-alive pool, close their side.)
 */
async function listenerOn(port: number): Promise<string> {
  let outcome = '';
  for (let attempt = 0; attempt < 20; attempt += 1) {
    outcome = await connectOutcome(port);
    if (outcome === 'refused' || outcome === 'accepted') return outcome;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return outcome;
}

/** True when this process can bind `port`. */
async function portIsFree(port: number): Promise<boolean> {
  const server = createServer();
  return new Promise((resolve) => {
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** Polls until the app answers over HTTP (start resolves once spawned, before it listens). */
async function get(port: number): Promise<string> {
  for (;;) {
    try {
      const response = await fetch(`http://127.0.0.1:${port}/`);
      return await response.text();
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}

async function waitForFile(file: string): Promise<string> {
  for (;;) {
    const text = await readFile(file, 'utf8').catch(() => '');
    if (text.trim() !== '') return text.trim();
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** True while `pid` runs; a killed process's zombie (not yet reaped by init) counts as gone. */
function isLive(pid: number): boolean {
  try {
    return !/\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

describe('paasmaker.runtime.node', () => {
  let dir: string;
  let app: string;
  let kernel: Kernel;
  let runtime: RuntimeProvider;
  const instances: RuntimeInstance[] = [];
  const call = (): ProviderCall => ({ log: kernel.log, signal: new AbortController().signal });

  async function instance(parameters: RuntimeInstance['parameters'] = {}): Promise<RuntimeInstance> {
    const port = await freePort();
    const created: RuntimeInstance = {
      instanceId: crypto.randomUUID(),
      directory: app,
      stateDirectory: join(dir, 'state', String(instances.length)),
      port,
      version: process.versions.node,
      parameters,
      environment: { PATH: process.env.PATH ?? '/usr/bin:/bin', PORT: String(port), APP_NAME: 'world' },
      logFile: join(dir, 'logs', `${instances.length}.log`),
    };
    instances.push(created);
    return created;
  }

  async function writeApp(files: Record<string, string>): Promise<void> {
    for (const [name, text] of Object.entries(files)) await writeFile(join(app, name), text);
  }

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'node-runtime-'));
    app = join(dir, 'app');
    await mkdir(app);
    kernel = await createKernel({ plugins: [{ plugin: nodeRuntimePlugin, options: { stopGraceMs: 300 } }] });
    runtime = kernel.provider('runtime', RUNTIME);
  });

  afterEach(async () => {
    for (const created of instances.splice(0)) await runtime.stop(created, call());
    await kernel.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('starts the app from package.json `scripts.start`, serves on PORT, then stops it', async () => {
    await writeApp({
      'package.json': JSON.stringify({ name: 'app', scripts: { start: 'node server.js' } }),
      'server.js': serverJs(),
    });
    const inst = await instance();
    expect(await runtime.status(inst, call())).toBe('stopped');
    await runtime.start(inst, call());
    expect(await runtime.status(inst, call())).toBe('running');
    expect(await get(inst.port as number)).toBe('hello world');
    expect(await readFile(inst.logFile, 'utf8')).toContain(`listening on ${inst.port}`);

    await runtime.start(inst, call()); // already running: a no-op
    await runtime.stop(inst, call());
    expect(await runtime.status(inst, call())).toBe('stopped');
    expect(await listenerOn(inst.port as number)).toBe('refused');
    expect(await readProcessRecord(inst.stateDirectory)).toBeUndefined();
    await runtime.stop(inst, call()); // stopping a stopped instance succeeds
  });

  it('starts the app from the `command` parameter, with node_modules/.bin on PATH', async () => {
    await mkdir(join(app, 'node_modules', '.bin'), { recursive: true });
    await writeFile(join(app, 'node_modules', '.bin', 'serve-app'), '#!/bin/sh\nexec node server.js\n');
    await chmod(join(app, 'node_modules', '.bin', 'serve-app'), 0o755);
    await writeApp({ 'server.js': serverJs() });
    const inst = await instance({ command: ['serve-app'] });
    await runtime.start(inst, call());
    expect(await get(inst.port as number)).toBe('hello world');
    await runtime.stop(inst, call());
    expect(await runtime.status(inst, call())).toBe('stopped');
  });

  it('falls back to package.json `main`, and fails clearly with neither', async () => {
    await writeApp({
      'package.json': JSON.stringify({ name: 'app', main: 'server.js' }),
      'server.js': serverJs(),
    });
    const inst = await instance();
    await runtime.start(inst, call());
    expect(await get(inst.port as number)).toBe('hello world');
    await runtime.stop(inst, call());

    await writeApp({ 'package.json': JSON.stringify({ name: 'app' }) });
    const error = await runtime.start(await instance(), call()).catch((e: unknown) => e);
    expect(isPaasmakerError(error, 'E_INSTANCE_START')).toBe(true);
    expect((error as Error).message).toMatch(/neither "scripts.start" nor "main"/);
  });

  it('sends SIGKILL after the grace period to an app that ignores SIGTERM', async () => {
    await writeApp({
      'server.js': serverJs(`process.on('SIGTERM', () => console.log('ignoring SIGTERM'));`),
    });
    const inst = await instance({ command: ['node', 'server.js'] });
    await runtime.start(inst, call());
    expect(await get(inst.port as number)).toBe('hello world');
    await runtime.stop(inst, call());
    expect(await runtime.status(inst, call())).toBe('stopped');
    expect(await listenerOn(inst.port as number)).toBe('refused');
    expect(await readFile(inst.logFile, 'utf8')).toContain('ignoring SIGTERM');
  });

  it('stops the whole process group, including processes the app spawned', async () => {
    await writeApp({
      'server.js':
        serverJs(`const child = require('node:child_process').spawn('sleep', ['1000'], { stdio: 'ignore' });
require('node:fs').writeFileSync('child.pid', String(child.pid));`),
    });
    const inst = await instance({ command: ['node', 'server.js'] });
    await runtime.start(inst, call());
    const child = Number(await waitForFile(join(app, 'child.pid')));
    expect(isLive(child)).toBe(true);
    await runtime.stop(inst, call());
    expect(isLive(child)).toBe(false);
  });

  it('reports stopped when the recorded pid is gone or belongs to another process', async () => {
    await writeApp({ 'server.js': serverJs() });
    const inst = await instance({ command: ['node', 'server.js'] });
    await runtime.start(inst, call());
    const record = await readProcessRecord(inst.stateDirectory);
    if (record === undefined) throw new Error('no record');
    process.kill(-record.pid, 'SIGKILL');
    for (;;) {
      if ((await runtime.status(inst, call())) === 'stopped') break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }

    // Our own pid with another start time: a reused pid, which must not be taken for the app.
    const reused = { pid: process.pid, startTime: record.startTime + 12345 };
    await writeFile(join(inst.stateDirectory, 'process.json'), JSON.stringify(reused));
    expect(await runtime.status(inst, call())).toBe('stopped');
    await runtime.stop(inst, call());
    expect(isLive(process.pid)).toBe(true);
  });

  it('advertises the Node versions it serves', async () => {
    const [major, minor] = process.versions.node.split('.');
    expect(await runtime.versions(call())).toEqual([major, `${major}.${minor}`, process.versions.node]);

    const fakeNode = join(dir, 'fake-node');
    await writeFile(fakeNode, '#!/bin/sh\necho v18.1.2\n');
    await chmod(fakeNode, 0o755);
    const other = await createKernel({
      plugins: [{ plugin: nodeRuntimePlugin, options: { nodeBinary: fakeNode } }],
    });
    const otherCall = { log: other.log, signal: new AbortController().signal };
    expect(await other.provider('runtime', RUNTIME).versions(otherCall)).toEqual(['18', '18.1', '18.1.2']);
    await other.close();

    const missing = await createKernel({
      plugins: [{ plugin: nodeRuntimePlugin, options: { nodeBinary: join(dir, 'no-node') } }],
    });
    expect(await missing.provider('runtime', RUNTIME).versions(otherCall)).toEqual([]);
    await missing.close();
  });
});
