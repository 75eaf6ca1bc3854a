import { createHash, randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { get } from 'node:http';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { InstanceRegistration } from '../../../src/roles/heart/heart-types';
import { TEST_RUNTIME } from './heart-test-plugins';

/** Apps the test runtime can run, as the source of their server.js. */
export const apps = {
  /** Answers every request with its pid and environment. */
  echo: `require('node:http').createServer((req, res) => {
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify({ pid: process.pid, env: process.env }));
}).listen(Number(process.env.PORT), '127.0.0.1', () => console.log('listening on ' + process.env.PORT));
process.on('SIGTERM', () => process.exit(0));`,
  /** Runs but never opens its port. */
  silent: `console.log('not listening on purpose'); setInterval(() => {}, 1000);`,
  /** Exits at once with an error. */
  crash: `console.error('boom: crashing at start'); process.exit(3);`,
} as const;

/** Writes an app folder and a `dir` package pointing at it; returns the registration's package. */
export async function packageApp(
  root: string,
  app: keyof typeof apps,
): Promise<InstanceRegistration['package']> {
  const folder = path.join(root, `app-${randomUUID()}`);
  await mkdir(folder, { recursive: true });
  await writeFile(path.join(folder, 'server.js'), apps[app]);
  const file = `${folder}.json`;
  const text = JSON.stringify({ folder });
  await writeFile(file, text);
  return {
    url: pathToFileURL(file).href,
    checksum: createHash('sha256').update(text).digest('hex'),
    packageType: 'dir',
  };
}

/** A registration for the test runtime; override what the test is about. */
export function registrationFor(
  pkg: InstanceRegistration['package'],
  extra: Partial<InstanceRegistration> = {},
): InstanceRegistration {
  return {
    instanceId: randomUUID(),
    application: { name: 'hello', workspace: 'w1', workspaceStub: 'w1', version: 1, instanceType: 'web' },
    runtime: { name: TEST_RUNTIME, version: process.versions.node, parameters: {} },
    startup: [],
    standalone: false,
    healthCheck: { timeoutSeconds: 10 },
    package: pkg,
    environment: { PM_METADATA: '{"application":"hello"}', GREETING: 'hi' },
    ...extra,
  };
}

/** GETs `/` from the echo app on `port`: its pid and environment. */
export function echo(port: number): Promise<{ pid: number; env: Record<string, string> }> {
  return new Promise((resolve, reject) => {
    get({ host: '127.0.0.1', port, path: '/', agent: false }, (res) => {
      let body = '';
      res.on('data', (chunk) => {
        body += chunk;
      });
      res.on('end', () => resolve(JSON.parse(body)));
    }).on('error', reject);
  });
}

/** A port range of `size` ports starting somewhere random, so parallel test files rarely share one. */
export function randomPortRange(size: number): { min: number; max: number } {
  // Above Linux's ephemeral ports (32768–60999) and the end-to-end tests' blocks (61000–63199),
  // below the blocks of 65200 and up (see CONTRIBUTING).
  const min = 63_200 + Math.floor(Math.random() * (2_000 - size));
  return { min, max: min + size - 1 };
}
