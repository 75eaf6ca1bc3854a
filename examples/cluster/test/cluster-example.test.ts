// The cluster example as its README runs it: `node examples/cluster/src/up.mjs` starts a pacemaker
// (with the built-in router), two hearts and an nginx router as processes of their own, the CLI
// deploys hello-node, one heart is killed with SIGKILL, and the app answers again from the other
// heart, through both routers.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { patient, redisUrl } from '@paasmaker/test-servers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createPostgresTestDatabase,
  type PostgresTestDatabase,
} from '../../../packages/core/test/postgres-database';
import { killChild } from '../../bespoke-paas/test/child-processes';
import {
  eventually,
  HELLO_NODE,
  hostnameOf,
  httpGet,
  killLeftovers,
  newToken,
  TempFolders,
} from '../../bespoke-paas/test/paas-test-helpers';
import { RequestStream } from '../../bespoke-paas/test/request-stream';

const UP = fileURLToPath(new URL('../src/up.mjs', import.meta.url));
const CLI = path.join(
  path.dirname(createRequire(import.meta.url).resolve('@paasmaker/core/package.json')),
  'dist',
  'cli.js',
);
const ROUTER_PORT = 64730;
const NGINX_ROUTER_PORT = 64740;
const run = promisify(execFile);

describe('the cluster example', () => {
  const temp = new TempFolders();
  const superToken = newToken();
  let database: PostgresTestDatabase;
  let data: string;
  let up: ChildProcess;
  /** The pids `up.mjs` printed, by node name. */
  const nodePids = new Map<string, number>();
  const env = () => ({
    ...process.env,
    PAASMAKER_CLUSTER_DATA: data,
    PAASMAKER_CLUSTER_POSTGRES_URL: database.connection,
    PAASMAKER_CLUSTER_REDIS_URL: redisUrl(),
    PAASMAKER_SUPER_TOKEN: superToken,
    PAASMAKER_NODE_TOKEN: newToken(),
  });
  /** Runs the CLI against the cluster with the super token; returns its JSON output. */
  const paasmaker = async (...args: string[]) => {
    const { stdout } = await run(process.execPath, [CLI, ...args, '--json'], {
      env: {
        ...process.env,
        PAASMAKER_URL: 'http://127.0.0.1:64700',
        PAASMAKER_API_KEY: superToken,
        PAASMAKER_CONFIG_DIR: data,
      },
    });
    return JSON.parse(stdout);
  };

  beforeAll(async () => {
    database = await createPostgresTestDatabase('cluster_example');
    data = await temp.make('paasmaker-cluster-');
    up = spawn(process.execPath, [UP], { env: env(), stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve, reject) => {
      createInterface({ input: up.stdout ?? expect.unreachable() }).on('line', (line) => {
        const node = /^(heart-\d|router) pid (\d+)$/.exec(line);
        if (node?.[1] && node[2]) nodePids.set(node[1], Number(node[2]));
        if (line.startsWith('cluster up:')) resolve();
        else if (!line.startsWith('[')) console.log(line);
      });
      up.once('exit', (code) => reject(new Error(`up.mjs exited with ${code}`)));
    });
  }, 180_000);

  afterAll(async () => {
    if (up && up.exitCode === null) {
      const exited = new Promise((resolve) => up.once('exit', resolve));
      up.kill('SIGTERM');
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 60_000))]);
      await killChild(up);
    }
    for (const name of ['heart-1', 'heart-2']) await killLeftovers(path.join(data, name));
    await database?.drop();
    await temp.removeAll();
  }, 120_000);

  it('keeps hello-node answering through both routers after one heart is killed with SIGKILL', {
    timeout: patient(180_000),
  }, async () => {
    expect([...nodePids.keys()].sort()).toEqual(['heart-1', 'heart-2', 'router']);
    await paasmaker('workspace', 'create', 'Default', 'default');
    const deployed = await paasmaker('deploy', HELLO_NODE);
    expect(deployed.urls).toEqual([`http://${hostnameOf('hello-node')}:${ROUTER_PORT}/`]);
    const applicationId = Number(deployed.applicationId);
    const host = hostnameOf('hello-node');
    const v1 = { status: 200, body: 'Hello from hello-node version 1\n' };
    expect(await httpGet(ROUTER_PORT, host)).toEqual(v1);
    // The deploy made the version current once the nginx router confirmed it serves the table.
    expect(await httpGet(NGINX_ROUTER_PORT, host)).toEqual(v1);

    const running = async () =>
      (
        (await paasmaker('app', 'instances', String(applicationId))).instances as {
          node: string;
          state: string;
        }[]
      )
        .filter((instance) => instance.state === 'RUNNING')
        .map((instance) => instance.node);
    const [victim] = await running();
    const survivor = victim === 'heart-1' ? 'heart-2' : 'heart-1';
    expect(nodePids.has(victim ?? '')).toBe(true);

    // A lost machine: the heart's node process and its instances die at once.
    const stream = new RequestStream(NGINX_ROUTER_PORT, host, (body) => body === v1.body, 50);
    const killedAt = Date.now();
    process.kill(nodePids.get(victim ?? '') ?? expect.unreachable(), 'SIGKILL');
    await killLeftovers(path.join(data, victim ?? ''));

    await eventually(async () => {
      const nodes = await running();
      return nodes.length === 1 && nodes[0] === survivor;
    });
    for (const port of [ROUTER_PORT, NGINX_ROUTER_PORT])
      await eventually(async () => (await httpGet(port, host).catch(() => undefined))?.status === 200);
    expect(await httpGet(ROUTER_PORT, host)).toEqual(v1);
    expect(await httpGet(NGINX_ROUTER_PORT, host)).toEqual(v1);
    expect(await running()).toEqual([survivor]);
    await stream.stop();
    const lastFailure = stream.failedBetween(killedAt).at(-1)?.at ?? killedAt;
    console.log(
      `[measure] cluster example, a heart and its instance killed -9: through the nginx router ${stream.failedBetween(killedAt).length} of ${stream.sentSince(killedAt)} requests failed (${stream.summary(killedAt)}), the last ${lastFailure - killedAt} ms after the kill`,
    );
  });
});
