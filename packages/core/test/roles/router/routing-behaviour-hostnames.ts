import { expect, it } from 'vitest';
import { instanceHostnames } from '../../../src/roles/pacemaker/deploy/cluster-hostnames';
import { applyInstanceRouting } from '../../../src/roles/pacemaker/deploy/routing-writer';
import { type Reply, routeTo, send } from './router-fixture';
import type { RoutingBehaviourContext } from './routing-behaviour';

/** The backend name a JSON answer of {@link startBackend} carries. */
export const answeredBy = (reply: Reply): string => (JSON.parse(reply.text) as { name: string }).name;

/** Hostname matching, what cannot be routed, versions, and table changes. */
export function hostnameCases(context: RoutingBehaviourContext): void {
  const get = (host: string | null, path = '/') => send(context.router(), { host, path });

  it('routes by exact hostname before one wildcard level, in any case, with a port or a trailing dot in Host', async () => {
    const { table } = context;
    const exact = await context.backend('exact');
    const wild = await context.backend('wild');
    const deeper = await context.backend('deeper');
    table.add('foo.test', routeTo('exact', exact.port));
    table.add('*.foo.test', routeTo('wild', wild.port));
    table.add('api.foo.test', routeTo('deeper', deeper.port));
    await context.router().settled();
    const viaExact = await get('foo.test', '/hello?x=1');
    expect(viaExact.status).toBe(200);
    expect(JSON.parse(viaExact.text)).toMatchObject({ name: 'exact', url: '/hello?x=1' });
    expect(answeredBy(await get('FOO.test:1000'))).toBe('exact');
    expect(answeredBy(await get('foo.test.'))).toBe('exact');
    expect(answeredBy(await get('www.foo.test'))).toBe('wild');
    expect(answeredBy(await get('WWW.Foo.Test:80'))).toBe('wild');
    expect(answeredBy(await get('api.foo.test'))).toBe('deeper');
    // One wildcard level only, as the original documented.
    expect((await get('a.b.foo.test')).status).toBe(404);
  });

  it('answers what it cannot route in plain text: 400 without Host, 404 naming an unknown host, 503 for a host with no instances', async () => {
    context.table.addHostname('empty.test');
    await context.router().settled();
    const noHost = await get(null);
    expect(noHost.status).toBe(400);
    expect(noHost.headers['content-type']).toMatch(/^text\/plain/);
    expect(noHost.text).toMatch(/^400 Bad Request/);
    const unknown = await get('Unknown.test:8080');
    expect(unknown.status).toBe(404);
    expect(unknown.headers['content-type']).toMatch(/^text\/plain/);
    expect(unknown.text).toBe('404 Not Found: no route for unknown.test.\n');
    const empty = await get('empty.test');
    expect(empty.status).toBe(503);
    expect(empty.headers['content-type']).toMatch(/^text\/plain/);
    expect(empty.text).toBe('503 Service Unavailable: no instances for empty.test.\n');
  });

  it('serves the current version on its type and manifest hostnames and every version on its own', async () => {
    const { table } = context;
    const v1 = await context.backend('v1');
    const v2 = await context.backend('v2');
    // As a deploy routes an instance of each version: the manifest names Shop.example.test.
    const routeVersion = (version: number, port: number, current: boolean) =>
      applyInstanceRouting(
        table,
        routeTo(`shop-v${version}`, port, `vt-shop-${version}`),
        instanceHostnames(
          {
            version,
            instanceType: 'web',
            application: 'Shop',
            workspaceStub: 'acme',
            clusterHostname: 'cluster.test',
          },
          ['Shop.example.test'],
          current,
        ),
        true,
      );
    routeVersion(1, v1.port, true);
    routeVersion(2, v2.port, false);
    await context.router().settled();
    expect(answeredBy(await get('web.shop.acme.cluster.test'))).toBe('v1');
    expect(answeredBy(await get('shop.example.test'))).toBe('v1');
    expect(answeredBy(await get('1.web.shop.acme.cluster.test'))).toBe('v1');
    expect(answeredBy(await get('2.web.shop.acme.cluster.test'))).toBe('v2');

    // Version 2 made current: on the type and manifest hostnames, version 1 off them (and still on its own).
    routeVersion(2, v2.port, true);
    routeVersion(1, v1.port, false);
    await context.router().settled();
    for (let i = 0; i < 10; i += 1) {
      expect(answeredBy(await get('web.shop.acme.cluster.test'))).toBe('v2');
      expect(answeredBy(await get('shop.example.test'))).toBe('v2');
    }
    expect(answeredBy(await get('1.web.shop.acme.cluster.test'))).toBe('v1');
  });

  it('applies table changes without a restart, down to 503 and 404', async () => {
    const { table } = context;
    const first = await context.backend('first');
    const second = await context.backend('second');
    expect((await get('live.test')).status).toBe(404);
    table.add('live.test', routeTo('first', first.port));
    await context.router().settled();
    expect(answeredBy(await get('live.test'))).toBe('first');
    table.add('live.test', routeTo('second', second.port));
    table.remove('live.test', 'first');
    await context.router().settled();
    for (let i = 0; i < 5; i += 1) expect(answeredBy(await get('live.test'))).toBe('second');
    table.removeInstance('second');
    await context.router().settled();
    expect((await get('live.test')).status).toBe(503);
    table.removeHostname('live.test');
    await context.router().settled();
    expect((await get('live.test')).status).toBe(404);
  });
}
