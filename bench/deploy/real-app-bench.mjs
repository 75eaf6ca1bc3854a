// @ts-check
// bench:deploy's real app (bench/deploy/real-app: Express, lodash, date-fns; about 7,700 files
// installed by paasmaker.prepare.npm from its lock file): first deploy to first 200, a second
// version with the same lock file (dependencies from the cache), the API's worst response time
// during each (polled every 200 ms), and packing and unpacking its files against tar.
import { execFile } from 'node:child_process';
import { cp, mkdir, rm, writeFile } from 'node:fs/promises';
import { Agent } from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { packFolder, unpackArchive } from '@paasmaker/core';
import { routerGet } from './router-get.mjs';

const exec = promisify(execFile);
const source = fileURLToPath(new URL('./real-app/', import.meta.url));
const hostname = 'web.real-app.default.paasmaker.localhost';
const sleep = (/** @type {number} */ ms) => new Promise((resolve) => setTimeout(resolve, ms));
const median = (/** @type {number[]} */ values) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;

/**
 * @param {{ node: import('@paasmaker/core').PaasmakerNode, pacemaker: NonNullable<import('@paasmaker/core').PaasmakerNode['pacemaker']>, router: { port: number }, workspace: { id: number } }} paas
 * @param {string} scratch
 * @param {(line: string) => void} say
 * @param {(tree: import('@paasmaker/core').TreeRecord, t0: number) => string[]} breakdown
 */
export async function benchRealApp(paas, scratch, say, breakdown) {
  const repo = path.join(scratch, 'real-app');
  await cp(source, repo, { recursive: true, filter: (file) => !file.includes('node_modules') });
  const git = (/** @type {string[]} */ args) =>
    exec('git', ['-c', 'user.name=b', '-c', 'user.email=b@b', ...args], { cwd: repo });
  await git(['init', '-q', '-b', 'main']);
  await git(['add', '-A']);
  await git(['commit', '-q', '-m', 'v1']);

  const first = await deployAndWait(paas, repo, 1);
  say(
    `real app, first deploy: first 200 after ${(first.ms / 1000).toFixed(1)} s; API worst ${Math.round(first.apiWorstMs)} ms over ${first.apiPolls} polls`,
  );
  say(`  where the time goes (ms since deploy was called):`);
  for (const row of breakdown(first.tree, first.t0)) say(row);

  await writeFile(path.join(repo, 'CHANGE.txt'), 'version 2\n');
  await git(['add', '-A']);
  await git(['commit', '-q', '-m', 'v2']);
  const second = await deployAndWait(paas, repo, 2);
  say(
    `real app, second version, same lock file: version 2 answered after ${(second.ms / 1000).toFixed(1)} s; API worst ${Math.round(second.apiWorstMs)} ms over ${second.apiPolls} polls`,
  );
  for (const row of breakdown(second.tree, second.t0)) say(row);

  const tarRatios = await packAndUnpackAgainstTar(paas, scratch, say);
  return {
    firstS: first.ms / 1000,
    redeployS: second.ms / 1000,
    apiWorstMs: Math.max(first.apiWorstMs, second.apiWorstMs),
    ...tarRatios,
  };
}

/**
 * Deploys `repo` and waits until the router answers with `version` (polling every 50 ms), while
 * GET /me is asked every 200 ms (the worst answer time is kept).
 * @param {Parameters<typeof benchRealApp>[0]} paas
 * @param {string} repo
 * @param {number} version
 */
async function deployAndWait(paas, repo, version) {
  const token = paas.node.config.roles.pacemaker?.superToken ?? '';
  let polling = true;
  let apiWorstMs = 0;
  let apiPolls = 0;
  const poller = (async () => {
    while (polling) {
      const started = performance.now();
      const response = await fetch(`${paas.pacemaker.url}/api/v1/me`, {
        headers: { authorization: `Bearer ${token}` },
      });
      await response.arrayBuffer();
      if (!response.ok) throw new Error(`GET /me answered ${response.status}`);
      apiWorstMs = Math.max(apiWorstMs, performance.now() - started);
      apiPolls += 1;
      await sleep(200);
    }
  })();
  const t0 = Date.now();
  const start = performance.now();
  const { treeId } = await paas.pacemaker.actions.deploy(paas.workspace.id, {
    scm: 'paasmaker.scm.git',
    parameters: { location: repo },
  });
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  let ms = Number.NaN;
  while (performance.now() - start < 600_000) {
    const answer = await routerGet(paas.router.port, hostname, agent);
    if ('body' in answer && answer.status === 200 && answer.body.includes(`version ${version} `)) {
      ms = performance.now() - start;
      break;
    }
    await sleep(50);
  }
  agent.destroy();
  const tree = await paas.pacemaker.jobs.waitForTree(treeId);
  polling = false;
  await poller;
  if (Number.isNaN(ms) || tree.jobs[0]?.state !== 'SUCCESS')
    throw new Error(
      `the real app's version ${version} did not answer, or its deploy ended ${tree.jobs[0]?.state}`,
    );
  return { ms, tree, t0, apiWorstMs, apiPolls };
}

/**
 * packFolder and unpackArchive on the real app's installed files, against `tar czf` and
 * `tar xzf` of the same files (median of 3 each).
 * @param {Parameters<typeof benchRealApp>[0]} paas
 * @param {string} scratch
 * @param {(line: string) => void} say
 */
async function packAndUnpackAgainstTar(paas, scratch, say) {
  const instance = paas.node.heart
    ?.instances()
    .find((entry) => entry.registration.application.name === 'real-app');
  if (!instance) throw new Error('the real app has no instance');
  const app = path.join(
    path.dirname(path.dirname(instance.logFile)),
    'instances',
    instance.instanceId,
    'app',
  );
  const { stdout } = await exec('find', [app, '-type', 'f', '-printf', '.']);
  const files = stdout.length;
  const folder = path.join(scratch, 'tar-speed');
  await mkdir(folder, { recursive: true });
  const time = async (/** @type {() => Promise<unknown>} */ work) => {
    const start = performance.now();
    await work();
    return performance.now() - start;
  };
  /** @type {Record<'pack' | 'tarCreate' | 'unpack' | 'tarExtract', number[]>} */
  const times = { pack: [], tarCreate: [], unpack: [], tarExtract: [] };
  for (let round = 0; round < 3; round += 1) {
    const archive = path.join(folder, `pack-${round}.tar.gz`);
    const tarArchive = path.join(folder, `tar-${round}.tar.gz`);
    times.pack.push(await time(() => packFolder(app, archive)));
    times.tarCreate.push(await time(() => exec('tar', ['czf', tarArchive, '-C', app, '.'])));
    times.unpack.push(await time(() => unpackArchive(archive, path.join(folder, `unpacked-${round}`))));
    const extracted = path.join(folder, `extracted-${round}`);
    await mkdir(extracted);
    times.tarExtract.push(await time(() => exec('tar', ['xzf', tarArchive, '-C', extracted])));
    await rm(path.join(folder, `unpacked-${round}`), { recursive: true, force: true });
    await rm(extracted, { recursive: true, force: true });
  }
  const [pack, tarCreate, unpack, tarExtract] = [
    times.pack,
    times.tarCreate,
    times.unpack,
    times.tarExtract,
  ].map(median);
  const packVsTar = (pack ?? 0) / (tarCreate ?? 1);
  const unpackVsTar = (unpack ?? 0) / (tarExtract ?? 1);
  say(
    `the real app's ${files} files (median of 3): packFolder ${Math.round(pack ?? 0)} ms vs tar czf ${Math.round(tarCreate ?? 0)} ms (${packVsTar.toFixed(2)}x); unpackArchive ${Math.round(unpack ?? 0)} ms vs tar xzf ${Math.round(tarExtract ?? 0)} ms (${unpackVsTar.toFixed(2)}x)`,
  );
  return { packVsTar, unpackVsTar };
}
