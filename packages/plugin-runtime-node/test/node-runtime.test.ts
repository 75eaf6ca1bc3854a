import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type Kernel,
  type RuntimeInstance,
  type RuntimeProvider,
  readProcessRecord,
  readProcessStat,
} from '@paasmaker/core';
import { eventually, patient } from '@paasmaker/test-servers';
import {
  describeRuntimeConformance,
  expectPaasmakerError,
  httpStatus,
  listeningProcesses,
  type PortRange,
  providerCall,
  temporaryFolder,
  testInstance,
  throwawayKernel,
} from '@paasmaker/testkit';
import { beforeEach, describe, expect, it } from 'vitest';
import nodeRuntimePlugin from '../src/index';

const RUNTIME = 'paasmaker.runtime.node';
/** This file's ports (CONTRIBUTING): above the ephemeral range, 61600–61999. */
const ports: PortRange = { from: 61_600, to: 61_999 };
const plugins = [{ plugin: nodeRuntimePlugin, options: { stopGraceMs: 300 } }];

/** An HTTP app answering `hello <APP_NAME>`; extra code is run before it listens. */
function serverJs(extra = ''): string {
  return `const http = require('node:http');
${extra}
http.createServer((req, res) => res.end('hello ' + process.env.APP_NAME))
  .listen(Number(process.env.PORT), '127.0.0.1', () => console.log('listening on ' + process.env.PORT));
`;
}

describeRuntimeConformance({
  runtime: RUNTIME,
  plugins,
  ports,
  waitMs: patient(30_000),
  app: {
    files: {
      'server.js': serverJs(`require('node:child_process').spawn('sleep', ['1000'], { stdio: 'ignore' });`),
    },
    parameters: { command: ['node', 'server.js'] },
    startsChildren: true,
  },
});

describe('paasmaker.runtime.node', () => {
  let kernel: Kernel;
  let runtime: RuntimeProvider;

  beforeEach(async () => {
    kernel = await throwawayKernel(plugins);
    runtime = kernel.provider('runtime', RUNTIME);
  });

  /** An instance of an app made of `files`, in a folder removed after the test. */
  function instance(files: Record<string, string>, parameters: RuntimeInstance['parameters'] = {}) {
    return testInstance({
      version: process.versions.node,
      parameters,
      files,
      environment: { APP_NAME: 'world' },
      ports,
    });
  }

  /** The app's answer, once it answers (start resolves once spawned, before it listens). */
  async function body(made: RuntimeInstance): Promise<string> {
    return eventually(async () => (await fetch(`http://127.0.0.1:${made.port}/`)).text());
  }

  async function startAndStop(made: RuntimeInstance): Promise<string> {
    await runtime.start(made, providerCall(kernel));
    try {
      return await body(made);
    } finally {
      await runtime.stop(made, providerCall(kernel));
    }
  }

  it('starts the app from package.json `scripts.start`, its output in the instance log', async () => {
    const made = await instance({
      'package.json': JSON.stringify({ name: 'app', scripts: { start: 'node server.js' } }),
      'server.js': serverJs(),
    });
    expect(await startAndStop(made)).toBe('hello world');
    expect(await readFile(made.logFile, 'utf8')).toContain(`listening on ${made.port}`);
    expect(await readProcessRecord(made.stateDirectory)).toBeUndefined();
  });

  it('starts the app from the `command` parameter, with node_modules/.bin on PATH', async () => {
    const made = await instance({ 'server.js': serverJs() }, { command: ['serve-app'] });
    await mkdir(join(made.directory, 'node_modules', '.bin'), { recursive: true });
    await writeFile(
      join(made.directory, 'node_modules', '.bin', 'serve-app'),
      '#!/bin/sh\nexec node server.js\n',
    );
    await chmod(join(made.directory, 'node_modules', '.bin', 'serve-app'), 0o755);
    expect(await startAndStop(made)).toBe('hello world');
  });

  it('falls back to package.json `main`, and fails clearly with neither', async () => {
    const withMain = await instance({
      'package.json': JSON.stringify({ name: 'app', main: 'server.js' }),
      'server.js': serverJs(),
    });
    expect(await startAndStop(withMain)).toBe('hello world');

    const neither = await instance({ 'package.json': JSON.stringify({ name: 'app' }) });
    const error = await expectPaasmakerError(
      runtime.start(neither, providerCall(kernel)),
      'E_INSTANCE_START',
    );
    expect(error.message).toMatch(/neither "scripts.start" nor "main"/);
  });

  it('sends SIGKILL after the grace period to an app that ignores SIGTERM', async () => {
    const made = await instance(
      { 'server.js': serverJs(`process.on('SIGTERM', () => console.log('ignoring SIGTERM'));`) },
      { command: ['node', 'server.js'] },
    );
    expect(await startAndStop(made)).toBe('hello world');
    expect(await runtime.status(made, providerCall(kernel))).toBe('stopped');
    expect(await listeningProcesses(made.port ?? 0)).toEqual([]);
    expect(await httpStatus(made.port ?? 0)).toBeUndefined();
    expect(await readFile(made.logFile, 'utf8')).toContain('ignoring SIGTERM');
  });

  it('does not take a reused pid for the app', async () => {
    const made = await instance({ 'server.js': serverJs() }, { command: ['node', 'server.js'] });
    expect(await startAndStop(made)).toBe('hello world');
    // Our own pid with another start time: a reused pid, which must not be taken for the app.
    const startTime = (readProcessStat(process.pid)?.startTime ?? 0) + 12345;
    await writeFile(
      join(made.stateDirectory, 'process.json'),
      JSON.stringify({ pid: process.pid, startTime }),
    );
    expect(await runtime.status(made, providerCall(kernel))).toBe('stopped');
    await runtime.stop(made, providerCall(kernel));
    expect(process.kill(process.pid, 0)).toBe(true);
  });

  it('advertises the Node versions it serves', async () => {
    const [major, minor] = process.versions.node.split('.');
    expect(await runtime.versions(providerCall(kernel))).toEqual([
      major,
      `${major}.${minor}`,
      process.versions.node,
    ]);

    const folder = await temporaryFolder();
    const fakeNode = join(folder, 'fake-node');
    await writeFile(fakeNode, '#!/bin/sh\necho v18.1.2\n');
    await chmod(fakeNode, 0o755);
    const other = await throwawayKernel([{ plugin: nodeRuntimePlugin, options: { nodeBinary: fakeNode } }]);
    expect(await other.provider('runtime', RUNTIME).versions(providerCall(other))).toEqual([
      '18',
      '18.1',
      '18.1.2',
    ]);

    const missing = await throwawayKernel([
      { plugin: nodeRuntimePlugin, options: { nodeBinary: join(folder, 'no') } },
    ]);
    expect(await missing.provider('runtime', RUNTIME).versions(providerCall(missing))).toEqual([]);
  });
});
