import { once } from 'node:events';
import { createServer, type IncomingMessage, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, it } from 'vitest';
import { routeTo, send } from './router-fixture';
import type { RoutingBehaviourContext } from './routing-behaviour';

/** What reaches the backend and comes back: Host, X-Forwarded-*, hop-by-hop and repeated headers. */
export function headerCases(context: RoutingBehaviourContext): void {
  it('keeps Host, sets X-Forwarded-For/-Host/-Port/-Proto and drops hop-by-hop headers', async () => {
    const echo = await context.backend('echo');
    context.table.add('fwd.test', routeTo('fwd', echo.port));
    await context.router().settled();
    const router = context.router();
    const reply = await send(router, {
      host: 'fwd.test:8080',
      headers: {
        'x-forwarded-for': '203.0.113.9',
        'x-custom': 'kept',
        connection: 'x-private',
        'x-private': 'named by Connection',
        te: 'trailers',
      },
    });
    const seen = JSON.parse(reply.text).headers as Record<string, string>;
    expect(seen).toMatchObject({
      host: 'fwd.test:8080',
      'x-forwarded-for': '203.0.113.9, 127.0.0.1',
      'x-forwarded-host': 'fwd.test:8080',
      'x-forwarded-port': String(router.port),
      'x-forwarded-proto': 'http',
      'x-custom': 'kept',
    });
    expect(seen.te).toBeUndefined();
    expect(reply.headers['x-backend']).toBe('echo');
    // The backend answers `Connection: keep-alive, x-backend-private` with an X-Backend-Private header.
    if (router.differences.dropsConnectionNamedHeaders) {
      expect(seen['x-private']).toBeUndefined();
      expect(reply.headers['x-backend-private']).toBeUndefined();
    } else {
      expect(seen['x-private']).toBe('named by Connection');
      expect(reply.headers['x-backend-private']).toBe('for the router only');
    }
  });

  it("passes repeated headers on as repeated, both ways, and replaces a client's X-Forwarded-Host/-Port/-Proto", async () => {
    let seen: string[] = [];
    const server = createServer((req, res) => {
      seen = req.rawHeaders;
      res.setHeader('set-cookie', ['a=1', 'b=2']);
      res.setHeader('x-multi', ['one', 'two']);
      res.end('ok');
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    context.afterCase(() => new Promise<void>((resolve) => server.close(() => resolve())));
    context.table.add('dup.test', routeTo('dup', (server.address() as AddressInfo).port));
    await context.router().settled();
    const router = context.router();
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
    const values = (name: string): string[] =>
      seen.flatMap((value, index) =>
        index % 2 === 1 && seen[index - 1]?.toLowerCase() === name ? [value] : [],
      );
    expect(values('x-multi')).toEqual(['a', 'b']);
    expect(values('cookie')).toEqual(['c=1', 'd=2']);
    expect(values('host')).toEqual(['dup.test']);
    expect(values('x-forwarded-host')).toEqual(['dup.test']);
    expect(values('x-forwarded-proto')).toEqual(['http']);
    expect(values('x-forwarded-port')).toEqual([String(router.port)]);
    expect(res.headers['set-cookie']).toEqual(['a=1', 'b=2']);
    expect(res.rawHeaders.filter((name) => name.toLowerCase() === 'x-multi')).toHaveLength(2);
  });
}
