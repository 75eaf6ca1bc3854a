import { once } from 'node:events';
import { createServer, type IncomingMessage, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { type Backend, type RouterRig, routeTo, send, startBackend, startRig } from './router-fixture';

describe('router', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  async function rig(): Promise<RouterRig> {
    const started = await startRig();
    cleanups.push(started.close);
    return started;
  }
  async function backend(name: string): Promise<Backend> {
    const started = await startBackend(name);
    cleanups.push(started.close);
    return started;
  }

  it('answers 400 without Host, 404 for an unknown host and 503 for a known host with no instances', async () => {
    const { table, router } = await rig();
    table.addHostname('empty.test');
    const noHost = await send(router, { host: null });
    expect(noHost.status).toBe(400);
    expect(noHost.headers['content-type']).toMatch(/^text\/plain/);
    expect((await send(router, { host: 'unknown.test' })).status).toBe(404);
    const empty = await send(router, { host: 'empty.test' });
    expect(empty.status).toBe(503);
    expect(empty.text).toContain('empty.test');
  });

  it('routes by exact hostname, one wildcard level, and a Host with a port', async () => {
    const { table, router } = await rig();
    const exact = await backend('exact');
    const wild = await backend('wild');
    table.add('foo.test', routeTo('exact', exact.port));
    table.add('*.foo.test', routeTo('wild', wild.port));
    const viaExact = await send(router, { host: 'foo.test', path: '/hello?x=1' });
    expect(viaExact.status).toBe(200);
    expect(JSON.parse(viaExact.text)).toMatchObject({ name: 'exact', url: '/hello?x=1' });
    expect(JSON.parse((await send(router, { host: 'FOO.test:1000' })).text).name).toBe('exact');
    expect(JSON.parse((await send(router, { host: 'www.foo.test' })).text).name).toBe('wild');
    expect((await send(router, { host: 'a.b.foo.test' })).status).toBe(404);
  });

  it('spreads requests over the instances at random', async () => {
    const { table, router } = await rig();
    const one = await backend('one');
    const two = await backend('two');
    table.add('spread.test', routeTo('one', one.port));
    table.add('spread.test', routeTo('two', two.port));
    for (let i = 0; i < 200; i += 1) expect((await send(router, { host: 'spread.test' })).status).toBe(200);
    expect(one.hits + two.hits).toBe(200);
    expect(one.hits).toBeGreaterThan(0);
    expect(two.hits).toBeGreaterThan(0);
  });

  it('sets X-Forwarded-* and keeps Host, dropping hop-by-hop headers', async () => {
    const { table, router } = await rig();
    const echo = await backend('echo');
    table.add('fwd.test', routeTo('echo', echo.port));
    const reply = await send(router, {
      host: 'fwd.test:8080',
      headers: {
        'x-forwarded-for': '203.0.113.9',
        'x-custom': 'kept',
        connection: 'x-private',
        'x-private': 'dropped',
      },
    });
    const seen = JSON.parse(reply.text).headers as Record<string, string>;
    expect(seen.host).toBe('fwd.test:8080');
    expect(seen['x-forwarded-for']).toBe('203.0.113.9, 127.0.0.1');
    expect(seen['x-forwarded-host']).toBe('fwd.test:8080');
    expect(seen['x-forwarded-port']).toBe(String(router.port));
    expect(seen['x-forwarded-proto']).toBe('http');
    expect(seen['x-custom']).toBe('kept');
    expect(seen['x-private']).toBeUndefined();
    expect(reply.headers['x-backend']).toBe('echo');
    expect(reply.headers['x-backend-private']).toBeUndefined();
  });

  it("passes repeated headers on as repeated, both ways, and replaces a client's X-Forwarded-Host/-Port/-Proto", async () => {
    const { table, router } = await rig();
    let seen: string[] = [];
    const server = createServer((req, res) => {
      seen = req.rawHeaders;
      res.setHeader('set-cookie', ['a=1', 'b=2']);
      res.setHeader('x-multi', ['one', 'two']);
      res.end('ok');
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    table.add('dup.test', routeTo('dup', (server.address() as AddressInfo).port));
    const req = request({
      host: '127.0.0.1',
      port: router.port,
      agent: false,
      headers: [
        'Host',
        'dup.test',
        'X-Multi',
        'a',
        'X-Multi',
        'b',
        'Cookie',
        'c=1',
        'Cookie',
        'd=2',
        'X-Forwarded-Host',
        'spoofed.test',
        'X-Forwarded-Proto',
        'https',
        'X-Forwarded-Port',
        '1',
      ],
    });
    req.end();
    const [res] = (await once(req, 'response')) as [IncomingMessage];
    res.resume();
    await once(res, 'end');
    // The values the backend got for one header name, in order, from its raw header list.
    const pairs = (name: string): string[] =>
      seen.flatMap((value, index) =>
        index % 2 === 1 && seen[index - 1]?.toLowerCase() === name ? [value] : [],
      );
    expect(pairs('x-multi')).toEqual(['a', 'b']);
    expect(pairs('cookie')).toEqual(['c=1', 'd=2']);
    expect(pairs('host')).toEqual(['dup.test']);
    expect(pairs('x-forwarded-host')).toEqual(['dup.test']);
    expect(pairs('x-forwarded-proto')).toEqual(['http']);
    expect(pairs('x-forwarded-port')).toEqual([String(router.port)]);
    expect(res.headers['set-cookie']).toEqual(['a=1', 'b=2']);
    expect(res.rawHeaders.filter((name) => name.toLowerCase() === 'x-multi')).toHaveLength(2);
  });

  it('applies table changes to the next request without a restart', async () => {
    const { table, router } = await rig();
    const first = await backend('first');
    const second = await backend('second');
    expect((await send(router, { host: 'live.test' })).status).toBe(404);
    table.add('live.test', routeTo('first', first.port));
    expect(JSON.parse((await send(router, { host: 'live.test' })).text).name).toBe('first');
    table.add('live.test', routeTo('second', second.port));
    table.remove('live.test', 'first');
    expect(JSON.parse((await send(router, { host: 'live.test' })).text).name).toBe('second');
    table.removeInstance('second');
    expect((await send(router, { host: 'live.test' })).status).toBe(503);
    table.removeHostname('live.test');
    expect((await send(router, { host: 'live.test' })).status).toBe(404);
  });

  it('counts requests, bytes, time and status classes per version type, node and instance', async () => {
    const { table, router } = await rig();
    const one = await backend('one');
    const two = await backend('two');
    table.add('stats.test', routeTo('i-1', one.port, 'vt-a', 'node-a'));
    table.add('other.test', routeTo('i-2', two.port, 'vt-b', 'node-a'));
    table.addHostname('empty.test');
    const bodies: number[] = [];
    for (let i = 0; i < 3; i += 1) bodies.push((await send(router, { host: 'stats.test' })).body.length);
    bodies.push((await send(router, { host: 'other.test' })).body.length);
    await send(router, { host: 'nowhere.test' });
    await send(router, { host: null });
    await send(router, { host: 'empty.test' });

    // Counted when the router's side of each response closes, which may trail the client's read.
    await expect.poll(() => router.stats().uncaught.requests).toBe(3);
    const stats = router.stats();
    expect(Object.keys(stats.versionTypes).sort()).toEqual(['vt-a', 'vt-b']);
    expect(stats.versionTypes['vt-a']).toMatchObject({ requests: 3, '2xx': 3, '4xx': 0, timeCount: 3 });
    expect(stats.versionTypes['vt-a']?.bytes).toBe((bodies[0] ?? 0) + (bodies[1] ?? 0) + (bodies[2] ?? 0));
    expect(stats.versionTypes['vt-a']?.time).toBeGreaterThan(0);
    expect(stats.nodes['node-a']).toMatchObject({ requests: 4, '2xx': 4 });
    expect(stats.instances['i-2']).toMatchObject({ requests: 1, bytes: bodies[3] });
    expect(stats.uncaught).toMatchObject({ requests: 3, '4xx': 2, '5xx': 1, time: 0, timeCount: 0 });
    expect(stats.uncaught.bytes).toBeGreaterThan(0);
    expect(Number.isNaN(Date.parse(stats.asAt))).toBe(false);

    // A snapshot is a copy: later requests do not change it.
    await send(router, { host: 'stats.test' });
    expect(stats.versionTypes['vt-a']?.requests).toBe(3);
    await expect.poll(() => router.stats().versionTypes['vt-a']?.requests).toBe(4);
  });
});
