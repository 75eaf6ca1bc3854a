// Shared helpers of the bespoke PaaS tests: nodes from config objects, temporary folders, git
// repositories made from a folder, HTTP requests with a Host header, and the instance processes a
// data folder records.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, cp, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import {
  createNode,
  isProcessRunning,
  type PaasmakerNode,
  type PluginEntry,
  parseNodeConfig,
  type RouterStatCounters,
  readProcessRecord,
} from '@paasmaker/core';
import { expect } from 'vitest';

const run = promisify(execFile);

/** A fresh cluster token (super or node). */
export const newToken = () => randomBytes(24).toString('hex');

/**
 * Starts a node from a config object, as a `paasmaker.yml` would hold it (log level `warn` unless
 * given), with plugins passed as objects.
 */
export function startNode(
  config: Record<string, unknown>,
  plugins: readonly PluginEntry[] = [],
): Promise<PaasmakerNode> {
  return createNode(parseNodeConfig(JSON.stringify({ logLevel: 'warn', ...config })), { plugins });
}

/** The example app the tests deploy. */
export const HELLO_NODE = fileURLToPath(new URL('../../apps/hello-node', import.meta.url));

/** The hostnames the router answers for an app's `web` instances in the default workspace. */
/**
 * Instance ports of one test file's PaaS: block `block` of 100 ports from 61000, above Linux's
 * ephemeral range (32768–60999) so no client socket or port-0 listener takes one, and a block
 * per test file so files running side by side never race for a port.
 */
export function instancePortBlock(block: number): { min: number; max: number } {
  const min = 61_000 + 100 * block;
  return { min, max: min + 99 };
}

export const hostnameOf = (app: string) => `web.${app}.default.paasmaker.localhost`;

/** Temporary folders, all removed by `removeAll()`. */
export class TempFolders {
  private readonly made: string[] = [];

  async make(prefix = 'bespoke-paas-'): Promise<string> {
    const folder = await mkdtemp(path.join(os.tmpdir(), prefix));
    // Tenant users pass through it to their own folders in a data folder inside.
    await chmod(folder, 0o711);
    this.made.push(folder);
    return folder;
  }

  async removeAll(): Promise<void> {
    await Promise.all(this.made.splice(0).map((folder) => rm(folder, { recursive: true, force: true })));
  }
}

/**
 * A git repository (branch `main`, one commit) holding a copy of `source` (default hello-node)
 * with `files` written over it; returns its folder.
 */
export async function gitRepo(
  temp: TempFolders,
  files: Record<string, string> = {},
  source = HELLO_NODE,
): Promise<string> {
  const folder = await temp.make('bespoke-paas-repo-');
  await cp(source, folder, { recursive: true });
  for (const [name, text] of Object.entries(files)) await writeFile(path.join(folder, name), text);
  await run('git', ['init', '-q', '-b', 'main'], { cwd: folder });
  await run('git', ['add', '-A'], { cwd: folder });
  await run('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-q', '-m', 'app'], {
    cwd: folder,
  });
  return folder;
}

/**
 * A GET on 127.0.0.1:`port` with `host` as the Host header (fetch cannot set it); a new
 * connection each time unless an `agent` (keep-alive, for load) is given.
 */
export function httpGet(
  port: number,
  host: string,
  urlPath = '/',
  agent: http.Agent | false = false,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = http.get(
      { host: '127.0.0.1', port, path: urlPath, headers: { host }, agent },
      (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          body += chunk;
        });
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
        response.on('error', reject);
      },
    );
    request.on('error', reject);
  });
}

/** The router's port of a node. */
export function routerPort(node: PaasmakerNode): number {
  const router = node.router;
  if (!router) throw new Error('the node runs no router');
  return router.port;
}

/** One instance folder of a heart data folder and the process its runtime recorded there, if any. */
export interface RecordedProcess {
  instanceId: string;
  pid: number;
  alive: boolean;
}

/**
 * Every process recorded under `<dataFolder>/heart/instances/<id>/state` (catalogued or not),
 * with whether it still runs.
 */
export async function recordedProcesses(dataFolder: string): Promise<RecordedProcess[]> {
  const root = path.join(dataFolder, 'heart', 'instances');
  const ids = await readdir(root).catch(() => [] as string[]);
  const found: RecordedProcess[] = [];
  for (const instanceId of ids) {
    const record = await readProcessRecord(path.join(root, instanceId, 'state')).catch(() => undefined);
    if (record) found.push({ instanceId, pid: record.pid, alive: isProcessRunning(record) });
  }
  return found;
}

/** The pids of instance processes under `dataFolder` that still run. */
export async function aliveInstancePids(dataFolder: string): Promise<number[]> {
  return (await recordedProcesses(dataFolder)).filter((p) => p.alive).map((p) => p.pid);
}

/** Last resort after a test: SIGKILLs the process groups of instances still running under `dataFolder`. */
export async function killLeftovers(dataFolder: string): Promise<number[]> {
  const pids = await aliveInstancePids(dataFolder);
  for (const pid of pids) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {}
    }
  }
  return pids;
}

/** Resolves once `check` answers true, polling every 100 ms; the test's timeout bounds the wait. */
export async function eventually(check: () => Promise<boolean> | boolean): Promise<void> {
  while (!(await check())) await new Promise((resolve) => setTimeout(resolve, 100));
}

/**
 * Waits until the router stats `read` answers count at least `requests` requests, then expects
 * every one a timed 2xx. Routers add their counts every second, so counts from a test before may
 * still arrive: callers ask for at least what they sent on top of what was there.
 */
export async function expectCountedOk(
  read: () => Promise<RouterStatCounters>,
  requests: number,
): Promise<void> {
  let counted = await read();
  await eventually(async () => {
    counted = await read();
    return counted.requests >= requests;
  });
  expect(counted['2xx']).toBe(counted.requests);
  expect(counted.timeCount).toBe(counted.requests);
}

/** A TCP port nobody listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
