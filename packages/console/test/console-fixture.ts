import { execFileSync } from 'node:child_process';
import { chmod, cp, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  createNode,
  definePlugin,
  hashPassword,
  KERNEL_API_VERSION,
  type PaasmakerNode,
  parseNodeConfig,
  type RunningPacemaker,
  type Workspace,
} from '@paasmaker/core';
import nodeRuntime from '@paasmaker/plugin-runtime-node';
import gitScm from '@paasmaker/plugin-scm-git';
import { requireServerEnv } from '@paasmaker/test-servers';
import pino from 'pino';
import { type Browser, chromium } from 'playwright-core';
import { consolePlugin } from '../src';

export const PASSWORD = 'correct horse battery staple';
const SUPER_TOKEN = 'console-super-token-0123456789abcdef';
const HELLO_NODE = fileURLToPath(new URL('../../../examples/apps/hello-node', import.meta.url));

/** Writes a log line every 100 ms until aborted: a job whose log grows while the console follows it. */
export const tickerJobs = definePlugin({
  name: 'test.console.ticker',
  version: '1.0.0',
  apiVersion: KERNEL_API_VERSION,
  setup(kernel) {
    kernel.hooks.jobType.for('test.console.ticker').tap('test.console.ticker', () => ({
      parametersSchema: { type: 'object' },
      async run({ log, signal }) {
        for (let tick = 1; !signal.aborted; tick += 1) {
          log.info(`tick ${tick}`);
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        return { summary: 'Stopped ticking.' };
      },
    }));
  },
});

/** An embedded PaaS (pacemaker, heart, router) with the console, two workspaces, two users, and Chromium. */
export interface ConsoleFixture {
  readonly url: string;
  readonly node: PaasmakerNode;
  readonly pacemaker: RunningPacemaker;
  readonly browser: Browser;
  readonly workspaceA: Workspace;
  readonly workspaceB: Workspace;
  /** Every permission, cluster-wide. */
  readonly adminLogin: string;
  /** WORKSPACE_VIEW on workspace A only. */
  readonly viewerLogin: string;
  /** The cluster's super token (for the test's own API calls). */
  readonly superToken: string;
  /** A git repository of examples/apps/hello-node, branch `main`. */
  readonly helloRepo: string;
  close(): Promise<void>;
}

export async function startConsoleFixture(): Promise<ConsoleFixture> {
  const chromiumBin = requireServerEnv('chromium', 'PAASMAKER_TEST_CHROMIUM_BIN');
  const home = await mkdtemp(path.join(tmpdir(), 'pm-console-browser-'));
  await chmod(home, 0o711);
  const dataFolder = path.join(home, 'data');
  const config = parseNodeConfig(
    JSON.stringify({
      name: 'console-browser',
      dataFolder,
      logLevel: 'silent',
      roles: {
        pacemaker: {
          superToken: SUPER_TOKEN,
          nodeToken: 'console-node-token-0123456789abcdef0',
          api: { port: 0 },
        },
        // Instance ports of its own, above the ephemeral range: other test files run PaaS nodes too.
        heart: { stopInstancesOnClose: true, ports: { min: 32_300, max: 32_399 } },
        router: { port: 0 },
      },
    }),
  );
  const node = await createNode(config, {
    logger: pino({ enabled: false }),
    passwordCost: { N: 2 ** 10, r: 8, p: 1 },
    plugins: [
      nodeRuntime,
      { plugin: gitScm, options: { cacheDirectory: path.join(dataFolder, 'git-cache') } },
      consolePlugin,
      tickerJobs,
    ],
  });
  const pacemaker = node.pacemaker;
  if (!pacemaker) throw new Error('the node runs no pacemaker');
  const { model } = pacemaker;
  const workspaceA = await model.workspaces.create({ name: 'Shop team', stub: 'shop' });
  const workspaceB = await model.workspaces.create({ name: 'Secret team', stub: 'secret' });
  await model.applications.create({ workspaceId: workspaceB.id, name: 'secret-app' });
  const makeUser = async (login: string) =>
    model.users.create({
      login,
      email: `${login}@example.com`,
      name: login,
      enabled: true,
      ...(await hashPassword(PASSWORD, { N: 2 ** 10, r: 8, p: 1 })),
    });
  const admin = await makeUser('console-admin');
  const viewer = await makeUser('console-viewer');
  const all = await model.roles.create({ name: 'everything', permissions: 'ALL' });
  const view = await model.roles.create({ name: 'viewer', permissions: ['WORKSPACE_VIEW'] });
  await model.roles.allocate({ userId: admin.id, roleId: all.id, workspaceId: null });
  await model.roles.allocate({ userId: viewer.id, roleId: view.id, workspaceId: workspaceA.id });

  const helloRepo = path.join(home, 'hello-node.git');
  await mkdir(helloRepo);
  await cp(HELLO_NODE, helloRepo, { recursive: true });
  const git = (...args: string[]) =>
    execFileSync('git', ['-c', 'user.name=test', '-c', 'user.email=test@example.com', ...args], {
      cwd: helloRepo,
      stdio: 'ignore',
    });
  git('init', '-q', '-b', 'main');
  git('add', '-A');
  git('commit', '-q', '-m', 'hello');

  // --no-sandbox: the tests may run as root, where Chromium's sandbox refuses to start.
  const browser = await chromium.launch({ executablePath: chromiumBin, args: ['--no-sandbox'] });
  return {
    url: pacemaker.url,
    node,
    pacemaker,
    browser,
    workspaceA,
    workspaceB,
    adminLogin: admin.login,
    viewerLogin: viewer.login,
    helloRepo,
    superToken: SUPER_TOKEN,
    async close() {
      await browser.close();
      await node.close();
      await rm(home, { recursive: true, force: true });
    },
  };
}
