import { once } from 'node:events';
import { expect, it } from 'vitest';
import { createNode, parseNodeConfig } from '../../../src/node';
import { API_PREFIX, JOB_STREAM_PATH, pacemakerHostname } from '../../../src/roles/pacemaker';
import { NODE_TOKEN, SUPER_TOKEN, silent, TEST_COST, tempFolder } from '../../node/node-test-helpers';
import { send } from './router-fixture';
import type { RoutingBehaviourContext } from './routing-behaviour';
import { openThrough, refusedUpgradeStatus } from './websocket-backend';

/** The pacemaker's own route: its API and job stream through the router, at `pacemaker.<cluster hostname>`. */
export function pacemakerCases(context: RoutingBehaviourContext): void {
  it('serves the pacemaker at pacemaker.<cluster hostname>, its API and its job stream websocket, until it stops', async () => {
    const folder = await tempFolder();
    context.afterCase(folder.remove);
    const settings = {
      name: 'routed-pacemaker',
      dataFolder: 'data',
      logLevel: 'silent',
      roles: {
        pacemaker: {
          superToken: SUPER_TOKEN,
          nodeToken: NODE_TOKEN,
          clusterHostname: 'cluster.test',
          api: { port: 0 },
        },
      },
    };
    const config = parseNodeConfig(JSON.stringify(settings), `${folder.folder}/paasmaker.yml`);
    const node = await createNode(config, { logger: silent, passwordCost: TEST_COST });
    context.afterCase(() => node.close());
    const pacemaker = node.pacemaker ?? expect.unreachable();
    const hostname = pacemakerHostname('cluster.test');
    expect(hostname).toBe('pacemaker.cluster.test');
    expect(pacemaker.routing.routes(hostname)).toEqual([
      {
        instanceId: 'pacemaker-routed-pacemaker',
        host: '127.0.0.1',
        port: Number(new URL(pacemaker.url).port),
        versionTypeKey: 'pacemaker',
        nodeId: 'routed-pacemaker',
      },
    ]);

    const router = await context.startRouter(pacemaker.routing);
    await router.settled();
    const authorization = `Bearer ${SUPER_TOKEN}`;
    const workspaces = await send(router, {
      host: 'Pacemaker.cluster.test',
      path: `${API_PREFIX}/workspaces`,
      headers: { authorization },
    });
    expect(workspaces.status, workspaces.text).toBe(200);
    expect(JSON.parse(workspaces.text)).toMatchObject({ data: [] });
    expect((await send(router, { host: hostname, path: `${API_PREFIX}/workspaces` })).status).toBe(401);

    expect(await refusedUpgradeStatus(openThrough(router.port, hostname, { path: JOB_STREAM_PATH }))).toBe(
      401,
    );
    const stream = openThrough(router.port, hostname, { path: JOB_STREAM_PATH, headers: { authorization } });
    await once(stream, 'open');
    const treeId = '00000000-0000-4000-8000-0000000000aa';
    stream.send(JSON.stringify({ type: 'tree.subscribe', treeId }));
    const [answer] = (await once(stream, 'message')) as [Buffer];
    expect(JSON.parse(answer.toString())).toMatchObject({ type: 'error', code: 'E_JOB_NOT_FOUND', treeId });
    stream.close();
    await once(stream, 'close');

    // A stopped pacemaker takes its route off; the hostname stays known.
    await node.close();
    await router.settled();
    const away = await send(router, { host: hostname, path: `${API_PREFIX}/workspaces` });
    expect(away.status).toBe(503);
    expect(away.text).toBe(`503 Service Unavailable: no instances for ${hostname}.\n`);
  });
}
