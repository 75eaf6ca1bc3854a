import { chmod, cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import nodeRuntime from '@paasmaker/plugin-runtime-node';
import gitScm from '@paasmaker/plugin-scm-git';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli';
import { createNode, type PaasmakerNode } from '../../src/node/create-node';
import { parseNodeConfig } from '../../src/node/node-config';
import { NODE_TOKEN, SUPER_TOKEN, silent, TEST_COST } from '../node/node-test-helpers';
import { capture, gitRepo, HELLO_NODE, PausableProxy } from './cli-test-helpers';

const RETRYING = /is not answering \(.*\); still following \(retrying in \d+ s\)…/;

describe('following a job tree while the pacemaker is unreachable', () => {
  let node: PaasmakerNode;
  let home: string;
  let proxy: PausableProxy;

  /** Starts the CLI against the pacemaker through the proxy; `until` waits for its output. */
  function start(args: string[]) {
    const stdout = capture();
    const stderr = capture();
    const exited = main(args, {
      stdout,
      stderr,
      env: {
        PAASMAKER_CONFIG_DIR: path.join(home, 'config'),
        PAASMAKER_URL: proxy.url,
        PAASMAKER_API_KEY: SUPER_TOKEN,
      },
    });
    /** The first match of `pattern` in `stream`; fails if the CLI exits first. */
    const until = async (stream: typeof stdout, pattern: RegExp) =>
      Promise.race([
        stream.until(pattern),
        exited.then((code) => {
          throw new Error(`exited ${code} before ${pattern}:\n${stdout.text}\n${stderr.text}`);
        }),
      ]);
    return { stdout, stderr, exited, until };
  }

  beforeAll(async () => {
    home = await mkdtemp(path.join(tmpdir(), 'pm-cli-unreachable-'));
    await chmod(home, 0o711);
    const dataFolder = path.join(home, 'data');
    node = await createNode(
      parseNodeConfig(
        JSON.stringify({
          name: 'cli-unreachable',
          dataFolder,
          logLevel: 'silent',
          roles: {
            pacemaker: { superToken: SUPER_TOKEN, nodeToken: NODE_TOKEN, api: { port: 0 } },
            // Instance ports of its own, above the ephemeral range: other test files run nodes too.
            heart: { stopInstancesOnClose: true, ports: { min: 61_300, max: 61_349 } },
            router: { port: 0 },
          },
        }),
      ),
      { logger: silent, passwordCost: TEST_COST, plugins: [nodeRuntime, gitScm] },
    );
    await node.pacemaker?.model.workspaces.create({ name: 'Default', stub: 'default' });
    proxy = await PausableProxy.start(Number(new URL(node.pacemaker?.url ?? '').port));
  }, 60_000);
  afterAll(async () => {
    await proxy?.close();
    await node?.close();
    if (home) await rm(home, { recursive: true, force: true });
  }, 60_000);

  it('deploy keeps following while the pacemaker is away, then exits 0 with the success', async () => {
    const repo = await gitRepo(HELLO_NODE, path.join(home, 'hello'));
    const cli = start(['deploy', repo]);
    const treeId = (await cli.until(cli.stdout, /job tree (\S+)/))[1] ?? '';
    proxy.pause();
    // The deploy goes on without the CLI, and finishes while the CLI cannot reach the pacemaker.
    const finished = await node.pacemaker?.jobs.waitForTree(treeId);
    expect(finished?.jobs[0]?.state).toBe('SUCCESS');
    await cli.until(cli.stderr, RETRYING);
    proxy.resume();
    const code = await cli.exited;
    expect(cli.stderr.text).toMatch(/answers again; following on\./);
    expect(cli.stderr.text).not.toMatch(/error:/);
    expect(code).toBe(0);
    expect(cli.stdout.text).toContain('SUCCESS');
    expect(cli.stdout.text).toMatch(/hello-node is live: http:\/\//);
  }, 120_000);

  it('a tree that fails while the pacemaker is away still exits 3', async () => {
    const folder = path.join(home, 'broken');
    await cp(HELLO_NODE, folder, { recursive: true });
    await writeFile(path.join(folder, 'manifest.yml'), 'manifest:\n  format: 1\napplication: {}\n');
    const repo = await gitRepo(folder, path.join(home, 'broken-git'));
    const started = start(['deploy', repo, '--no-follow', '--json']);
    expect(await started.exited).toBe(0);
    const { treeId } = JSON.parse(started.stdout.text) as { treeId: string };

    proxy.pause();
    const cli = start(['job', 'follow', treeId]);
    await cli.until(cli.stderr, RETRYING);
    const finished = await node.pacemaker?.jobs.waitForTree(treeId);
    expect(finished?.jobs[0]?.state).toMatch(/^(FAILED|ABORTED)$/);
    proxy.resume();
    expect(await cli.exited).toBe(3);
    expect(cli.stderr.text).toMatch(/error: job tree \S+ ended (FAILED|ABORTED)/);
  }, 60_000);

  it('gives up, exit 1, once the pacemaker stayed unreachable for $PAASMAKER_UNREACHABLE_LIMIT', async () => {
    const started = start([
      'deploy',
      await gitRepo(HELLO_NODE, path.join(home, 'hello-2')),
      '--no-follow',
      '--json',
    ]);
    expect(await started.exited).toBe(0);
    const { treeId } = JSON.parse(started.stdout.text) as { treeId: string };
    proxy.pause();
    try {
      const stdout = capture();
      const stderr = capture();
      const code = await main(['job', 'follow', treeId], {
        stdout,
        stderr,
        env: { PAASMAKER_URL: proxy.url, PAASMAKER_API_KEY: SUPER_TOKEN, PAASMAKER_UNREACHABLE_LIMIT: '2' },
      });
      expect(code).toBe(1);
      expect(stderr.text).toMatch(RETRYING);
      expect(stderr.text).toMatch(
        new RegExp(
          `error: the pacemaker at .* has not answered for \\d+ s .*gave up following: follow it again with paasmaker job follow ${treeId}`,
        ),
      );
    } finally {
      proxy.resume();
      await node.pacemaker?.jobs.waitForTree(treeId);
    }
  }, 60_000);
});
