// A real app has thousands of dependency files. Deploying one must not stall the node: while it
// is checked out, packed, stored, fetched and unpacked, every API request and every request
// through the router to another app is answered. (How fast is for `npm run bench:deploy`.)
import { cp, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { PaasmakerNode } from '@paasmaker/core';
import nodeRuntime from '@paasmaker/plugin-runtime-node';
import gitScm from '@paasmaker/plugin-scm-git';
import { patient } from '@paasmaker/test-servers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deployFromGit } from '../src/bespoke-paas';
import {
  gitRepo,
  HELLO_NODE,
  hostnameOf,
  httpGet,
  newToken,
  routerPort,
  startNode,
  TempFolders,
} from './paas-test-helpers';

const PACKAGES = 120;
const FILES_PER_PACKAGE = 25;

/** `node_modules` as a real app has it: many small files in nested folders. */
function dependencyFiles(): Record<string, string> {
  const files: Record<string, string> = {};
  for (let pkg = 0; pkg < PACKAGES; pkg += 1)
    for (let file = 0; file < FILES_PER_PACKAGE; file += 1)
      files[`node_modules/dep-${pkg}/lib/part-${file % 5}/file-${file}.js`] =
        `// dep ${pkg} file ${file}\nmodule.exports = ${JSON.stringify('x'.repeat(200 + file * 40))};\n`;
  return files;
}

describe('deploying an app with thousands of files', () => {
  const temp = new TempFolders();
  let node: PaasmakerNode;
  const superToken = newToken();

  beforeAll(async () => {
    const data = await temp.make();
    node = await startNode(
      {
        name: 'real-app',
        dataFolder: data,
        roles: {
          pacemaker: { superToken, nodeToken: newToken(), api: { port: 0 } },
          heart: { stopInstancesOnClose: true, ports: { min: 32_450, max: 32_499 } },
          router: { port: 0 },
        },
      },
      [nodeRuntime, { plugin: gitScm, options: { cacheDirectory: path.join(data, 'git-cache') } }],
    );
    await deployFromGit(node, await gitRepo(temp));
  });
  afterAll(async () => {
    await node?.close();
    await temp.removeAll();
  });

  it('answers every API request and every routed request while it deploys', {
    timeout: patient(180_000),
  }, async () => {
    const source = await temp.make('bespoke-paas-big-');
    await cp(HELLO_NODE, source, { recursive: true });
    const manifest = await readFile(path.join(source, 'manifest.yml'), 'utf8');
    await writeFile(path.join(source, 'manifest.yml'), manifest.replace('name: hello-node', 'name: big-app'));
    for (const [name, text] of Object.entries(dependencyFiles())) {
      await mkdir(path.dirname(path.join(source, name)), { recursive: true });
      await writeFile(path.join(source, name), text);
    }
    const repo = await gitRepo(temp, {}, source);

    const api = `${node.pacemaker?.url}/api/v1/me`;
    const outcomes = {
      api: { answered: 0, failed: [] as string[] },
      router: { answered: 0, failed: [] as string[] },
    };
    let deploying = true;
    const poll = async (kind: 'api' | 'router', request: () => Promise<number>) => {
      while (deploying) {
        const status = await request().catch((error: Error) => error.message);
        if (status === 200) outcomes[kind].answered += 1;
        else outcomes[kind].failed.push(String(status));
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    };
    const polling = Promise.all([
      poll(
        'api',
        async () =>
          (await fetch(api, { headers: { authorization: `Bearer ${superToken}` }, signal: answerWithin() }))
            .status,
      ),
      poll('router', async () => (await within(httpGet(routerPort(node), hostnameOf('hello-node')))).status),
    ]);
    try {
      await deployFromGit(node, repo);
    } finally {
      deploying = false;
      await polling;
    }
    expect(outcomes.api.failed).toEqual([]);
    expect(outcomes.router.failed).toEqual([]);
    expect(outcomes.api.answered).toBeGreaterThan(0);
    expect(outcomes.router.answered).toBeGreaterThan(0);
    const answer = await httpGet(routerPort(node), hostnameOf('big-app'));
    expect(answer.body).toContain('from hello-node version 1');
    const instance = node.heart
      ?.instances()
      .find((entry) => entry.registration.application.name === 'big-app');
    const unpacked = path.join(
      path.dirname(path.dirname(instance?.logFile ?? '')),
      'instances',
      instance?.instanceId ?? '',
      'app',
    );
    expect(await countFiles(path.join(unpacked, 'node_modules'))).toBe(PACKAGES * FILES_PER_PACKAGE);
  });
});

/**
 * A client's patience: a request not answered in 10 s counts as not answered (a stalled event
 * loop), far above what a loaded machine needs to answer `GET /me`.
 */
const PATIENCE_MS = 10_000;
const answerWithin = () => AbortSignal.timeout(PATIENCE_MS);
const within = <T>(answer: Promise<T>): Promise<T> =>
  Promise.race([
    answer,
    new Promise<never>((_resolve, reject) => {
      setTimeout(() => reject(new Error(`no answer within ${PATIENCE_MS} ms`)), PATIENCE_MS).unref();
    }),
  ]);

async function countFiles(folder: string): Promise<number> {
  let count = 0;
  for (const entry of await readdir(folder, { withFileTypes: true }))
    count += entry.isDirectory() ? await countFiles(path.join(folder, entry.name)) : 1;
  return count;
}
