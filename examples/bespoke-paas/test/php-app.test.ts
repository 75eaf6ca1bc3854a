import { chmod } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PaasmakerNode } from '@paasmaker/core';
import phpRuntime from '@paasmaker/plugin-runtime-php';
import gitScm from '@paasmaker/plugin-scm-git';
import { apacheSettings } from '@paasmaker/test-servers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deployFromGit } from '../src/bespoke-paas';
import {
  eventually,
  gitRepo,
  hostnameOf,
  httpGet,
  newToken,
  routerPort,
  startNode,
  TempFolders,
} from './paas-test-helpers';

const HELLO_PHP = fileURLToPath(new URL('../../apps/hello-php', import.meta.url));

describe('a PHP app on Apache with mod_php, end to end', () => {
  const temp = new TempFolders();
  let node: PaasmakerNode;
  let repo: string;

  beforeAll(async () => {
    const data = await temp.make();
    // Run as root, Apache's workers are nobody, who must be able to reach the instance folders.
    await chmod(data, 0o755);
    const { bin, modulesDir, phpModule } = apacheSettings();
    node = await startNode(
      {
        name: 'php-e2e',
        dataFolder: data,
        roles: {
          pacemaker: { superToken: newToken(), nodeToken: newToken(), api: { port: 0 } },
          heart: { stopInstancesOnClose: true, ports: { min: 65_450, max: 65_499 } },
          router: { port: 0 },
        },
      },
      [
        { plugin: phpRuntime, options: { apacheBinary: bin, modulesDirectory: modulesDir, phpModule } },
        { plugin: gitScm, options: { cacheDirectory: path.join(data, 'git-cache') } },
      ],
    );
    repo = await gitRepo(temp, {}, HELLO_PHP);
  });
  afterAll(async () => {
    await node?.close();
    await temp.removeAll();
  });

  it('deploys hello-php from git and answers through the router, then a second version', async () => {
    await deployFromGit(node, repo);
    const host = hostnameOf('hello-php');
    const first = await httpGet(routerPort(node), host);
    expect(first.status).toBe(200);
    expect(first.body).toMatch(/^Hello from hello-php version 1 \(PHP 8\.\d+\.\d+\)\n$/);

    await deployFromGit(node, repo);
    expect((await httpGet(routerPort(node), host)).body).toContain('hello-php version 2');
    const instances = node.heart?.instances() ?? [];
    // The first version's Apache was stopped after the switch.
    await eventually(() => (node.heart?.instances() ?? []).filter((i) => i.state === 'RUNNING').length === 1);
    expect(instances.length).toBe(2);
  });
});
