#!/usr/bin/env node
// Brings the cluster up on this machine: `paasmaker node --config <file>` for the pacemaker (with
// the built-in router), then for heart-1, heart-2 and the nginx router, each a process of its own.
// Prints `<name> pid <pid>` per node and `cluster up: …` once both hearts are ACTIVE and nginx
// answers; Ctrl-C or SIGTERM stops the nodes (and any instance a killed heart left behind).
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, readdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { isProcessRunning, readProcessRecord } from '@paasmaker/core';

const CONFIGS = fileURLToPath(new URL('../configs/', import.meta.url));
const API = 'http://127.0.0.1:64700';
const ROUTER = 'http://127.0.0.1:64730';
const NGINX_ROUTER = 'http://127.0.0.1:64740';
const HEARTS = ['heart-1', 'heart-2'];
const CLI = path.join(
  path.dirname(createRequire(import.meta.url).resolve('@paasmaker/core/package.json')),
  'dist',
  'cli.js',
);

const env = { ...process.env };
env.PAASMAKER_CLUSTER_POSTGRES_URL ||= env.PAASMAKER_TEST_POSTGRES_URL;
env.PAASMAKER_CLUSTER_REDIS_URL ||= env.PAASMAKER_TEST_REDIS_URL;
for (const name of ['PAASMAKER_CLUSTER_POSTGRES_URL', 'PAASMAKER_CLUSTER_REDIS_URL'])
  if (!env[name]) {
    console.error(
      `up.mjs: set ${name} (or run under tools/test-servers/src/run-with-servers.mjs --servers redis,postgres,nginx)`,
    );
    process.exit(2);
  }
// nginx with the Lua module: the test servers' (`--servers nginx`), else Debian's.
env.PAASMAKER_CLUSTER_NGINX_BIN ||= env.PAASMAKER_TEST_NGINX_BIN || 'nginx';
env.PAASMAKER_CLUSTER_NGINX_MODULES ||= env.PAASMAKER_TEST_NGINX_MODULES_DIR || '/usr/lib/nginx/modules';
env.PAASMAKER_SUPER_TOKEN ||= randomBytes(24).toString('hex');
env.PAASMAKER_NODE_TOKEN ||= randomBytes(24).toString('hex');
if (!env.PAASMAKER_CLUSTER_DATA) {
  env.PAASMAKER_CLUSTER_DATA = await mkdtemp(path.join(os.tmpdir(), 'paasmaker-cluster-'));
  // As root, tenant users pass through it to their own folders in the data folders inside.
  await chmod(env.PAASMAKER_CLUSTER_DATA, 0o711);
}
const dataFolder = env.PAASMAKER_CLUSTER_DATA;

/** Children still running, by name. */
const nodes = new Map();
/** Every node started; while coming up, one that exits fails the start. */
const started = new Set();
let stopping = false;

/**
 * Starts `paasmaker node --config configs/<name>.yml`; its output lines are printed prefixed.
 * @param {string} name
 */
function startNode(name) {
  const child = spawn(process.execPath, [CLI, 'node', '--config', path.join(CONFIGS, `${name}.yml`)], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  nodes.set(name, child);
  started.add(name);
  for (const stream of [child.stdout, child.stderr])
    createInterface({ input: stream }).on('line', (line) => console.log(`[${name}] ${line}`));
  child.once('exit', (code, signal) => {
    nodes.delete(name);
    if (!stopping) console.log(`${name} exited (${signal ?? code})`);
    if (name === 'pacemaker' && !stopping) void stop(1);
  });
  return child;
}

/**
 * Resolves once `check` answers true (polling every 200 ms), or rejects after `ms`.
 * @param {string} what
 * @param {() => Promise<boolean>} check
 */
async function waitFor(what, check, ms = 120_000) {
  const until = Date.now() + ms;
  while (!(await check().catch(() => false))) {
    if (Date.now() > until) throw new Error(`up.mjs: ${what} did not happen within ${ms / 1000} s`);
    if (stopping) throw new Error(`up.mjs: stopped while waiting for ${what}`);
    const lost = [...started].find((name) => !nodes.has(name));
    if (lost) throw new Error(`up.mjs: ${lost} exited while waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/**
 * A GET on the pacemaker's API with the super token; resolves with the answer's `data`.
 * @param {string} route
 * @returns {Promise<any>}
 */
const api = async (route) => {
  const response = await fetch(`${API}/api/v1${route}`, {
    headers: { authorization: `Bearer ${env.PAASMAKER_SUPER_TOKEN}` },
  });
  if (!response.ok) throw new Error(`${route}: ${response.status}`);
  return /** @type {{ data: unknown }} */ (await response.json()).data;
};

/**
 * SIGKILLs the process groups of instances still recorded as running under a heart's data folder.
 * @param {string} dataFolder
 */
async function killLeftovers(dataFolder) {
  const root = path.join(dataFolder, 'heart', 'instances');
  for (const id of await readdir(root).catch(() => [])) {
    const record = await readProcessRecord(path.join(root, id, 'state')).catch(() => undefined);
    if (!record || !isProcessRunning(record)) continue;
    try {
      process.kill(-record.pid, 'SIGKILL');
    } catch {
      try {
        process.kill(record.pid, 'SIGKILL');
      } catch {}
    }
  }
}

/**
 * Stops the hearts and the router, then the pacemaker, then any instance left behind; exits with `code`.
 * @param {number} code
 */
async function stop(code) {
  if (stopping) return;
  stopping = true;
  /** @param {string[]} names */
  const stopped = async (names) =>
    Promise.all(
      names.map(async (name) => {
        const child = nodes.get(name);
        if (!child) return;
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
        await exited;
        clearTimeout(timer);
      }),
    );
  await stopped([...HEARTS, 'router']);
  await stopped(['pacemaker']);
  for (const name of HEARTS) await killLeftovers(path.join(dataFolder, name));
  process.exit(code);
}
process.once('SIGINT', () => void stop(0));
process.once('SIGTERM', () => void stop(0));

try {
  console.log(`data folder: ${dataFolder}`);
  startNode('pacemaker');
  await waitFor('the pacemaker API answering', async () => Array.isArray(await api('/nodes')));
  for (const name of [...HEARTS, 'router']) console.log(`${name} pid ${startNode(name).pid}`);
  // Any answer will do: 404 for an unknown host, or 500 until it has loaded a table.
  await waitFor('the nginx router answering', async () => Boolean(await fetch(NGINX_ROUTER)));
  await waitFor('both hearts ACTIVE', async () => {
    /** @type {{ name: string, state: string }[]} */
    const listed = await api('/nodes');
    const active = listed.filter((node) => node.state === 'ACTIVE').map((node) => node.name);
    return HEARTS.every((name) => active.includes(name));
  });
  console.log(`cluster up: API ${API} router ${ROUTER} nginx router ${NGINX_ROUTER} (Ctrl-C stops it)`);
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  await stop(1);
}
