import { randomBytes } from 'node:crypto';
import path from 'node:path';
import {
  API_PREFIX,
  createNode,
  JOB_STREAM_PATH,
  JobStreamClient,
  type PaasmakerNode,
  parseNodeConfig,
  type TreeRecord,
} from '@paasmaker/core';
import nodeRuntime from '@paasmaker/plugin-runtime-node';
import gitScm from '@paasmaker/plugin-scm-git';
import { redisUrl } from '@paasmaker/test-servers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  eventually,
  gitRepo,
  hostnameOf,
  httpGet,
  instancePortBlock,
  routerPort,
  TempFolders,
} from './paas-test-helpers';

// Two node processes' worth of roles on one machine: a pacemaker with the router, and a heart of
// its own that registers over HTTP and takes its jobs from the Redis job store they share.
describe('a heart on a node of its own', () => {
  const temp = new TempFolders();
  const suffix = randomBytes(3).toString('hex');
  const nodeToken = randomBytes(24).toString('hex');
  const superToken = randomBytes(24).toString('hex');
  const plugins = (data: string) => [
    nodeRuntime,
    { plugin: gitScm, options: { cacheDirectory: path.join(data, 'git-cache') } },
  ];
  let pacemaker: PaasmakerNode;
  let heart: PaasmakerNode;

  beforeAll(async () => {
    const pacemakerData = await temp.make();
    pacemaker = await createNode(
      parseNodeConfig(
        JSON.stringify({
          name: `pm-${suffix}`,
          dataFolder: pacemakerData,
          logLevel: 'warn',
          roles: {
            pacemaker: {
              superToken,
              nodeToken,
              jobStore: redisUrl(),
              api: { port: 0 },
            },
            router: { port: 0 },
          },
        }),
      ),
      { plugins: plugins(pacemakerData) },
    );
    const heartData = await temp.make();
    heart = await createNode(
      parseNodeConfig(
        JSON.stringify({
          name: `heart-${suffix}`,
          dataFolder: heartData,
          logLevel: 'warn',
          roles: {
            heart: {
              ports: instancePortBlock(5),
              stopInstancesOnClose: true,
              pacemaker: { url: pacemaker.pacemaker?.url, nodeToken, jobStore: redisUrl() },
            },
          },
        }),
      ),
      { plugins: plugins(heartData) },
    );
  });
  afterAll(async () => {
    await heart?.close();
    await pacemaker?.close();
    await temp.removeAll();
  });

  it('registers the heart, runs the instance there and routes to it from the pacemaker node', async () => {
    const { model, actions, jobs } = pacemaker.pacemaker ?? expect.unreachable();
    const nodes = await model.nodes.list();
    expect(nodes.map((node) => [node.name, node.roles.heart, node.state])).toEqual([
      [`heart-${suffix}`, true, 'ACTIVE'],
    ]);
    expect(nodes[0]?.runtimes['paasmaker.runtime.node']).toContain(process.versions.node);

    const workspace = await model.workspaces.create({ name: `Cluster ${suffix}`, stub: `c-${suffix}` });
    const { treeId } = await actions.deploy(workspace.id, {
      scm: 'paasmaker.scm.git',
      parameters: { location: await gitRepo(temp) },
    });
    const tree = await jobs.waitForTree(treeId);
    expect(tree.jobs.filter((job) => job.state === 'FAILED').map((job) => job.summary)).toEqual([]);
    expect(tree.jobs.filter((job) => job.state !== 'SUCCESS')).toEqual([]);
    expect(
      new Set(
        tree.jobs.filter((job) => job.type.startsWith('paasmaker.job.heart.')).map((job) => job.nodeId),
      ),
    ).toEqual(new Set([`heart-${suffix}`]));
    expect(heart.heart?.instances().map((instance) => instance.state)).toEqual(['RUNNING']);
    expect(pacemaker.heart).toBeUndefined();

    const host = hostnameOf('hello-node').replace('.default.', `.c-${suffix}.`);
    const answer = await httpGet(routerPort(pacemaker), host);
    expect(answer).toEqual({ status: 200, body: 'Hello from hello-node version 1\n' });
  });

  it("serves the heart's instance log and job logs through the pacemaker's API", async () => {
    const { model, url } = pacemaker.pacemaker ?? expect.unreachable();
    const [instance] = heart.heart?.instances() ?? [];
    const record =
      (await model.instances.findByUuid(instance?.instanceId ?? expect.unreachable())) ??
      expect.unreachable();
    const application = (await model.applications.list()).find((app) => app.name === 'hello-node');
    const api = (route: string) =>
      fetch(`${url}${API_PREFIX}${route}`, { headers: { authorization: `Bearer ${superToken}` } });

    const log = await api(`/applications/${application?.id}/instances/${record.uuid}/log?offset=0`);
    const text = await log.text();
    expect([log.status, text]).toEqual([200, expect.stringContaining('hello-node version 1 listening on')]);
    expect(Number(log.headers.get('x-next-offset'))).toBe(Buffer.byteLength(text));

    const trees = await api(`/jobs?tag=${encodeURIComponent(`workspace:${application?.workspaceId}`)}`);
    const [tree] = ((await trees.json()) as { data: { trees: { treeId: string }[] } }).data.trees;
    const treeRecord = await api(`/jobs/${tree?.treeId}/tree`);
    const { jobs } = ((await treeRecord.json()) as { data: TreeRecord }).data;
    const heartJob = jobs.find((job) => job.type === 'paasmaker.job.heart.startup') ?? expect.unreachable();
    expect(heartJob?.nodeId).toBe(`heart-${suffix}`);
    const jobLog = await api(`/jobs/${heartJob.id}/log`);
    expect([jobLog.status, await jobLog.text()]).toEqual([200, expect.stringMatching(/\S/)]);

    let streamed = '';
    const client = new JobStreamClient({
      url: `${url.replace(/^http/, 'ws')}${JOB_STREAM_PATH}`,
      token: superToken,
    });
    try {
      const errors: string[] = [];
      client.followLog(heartJob.id, {
        offset: 0,
        onLines: (lines) => (streamed += lines),
        onError: (error) => errors.push(error.code),
      });
      await eventually(() => streamed.length > 0 || errors.length > 0);
      expect(errors).toEqual([]);
    } finally {
      await client.close();
    }
  });

  it('refuses a heart with no pacemaker to report to, and a router without the pacemaker role', async () => {
    const alone = (roles: object) =>
      createNode(parseNodeConfig(JSON.stringify({ name: 'x', dataFolder: '/nonexistent/x', roles })));
    await expect(alone({ heart: {} })).rejects.toMatchObject({
      code: 'E_NODE_START',
      message: expect.stringContaining('roles.heart.pacemaker'),
    });
    await expect(alone({ router: {} })).rejects.toMatchObject({
      code: 'E_NODE_START',
      message: expect.stringContaining('router needs the pacemaker role'),
    });
  });
});
