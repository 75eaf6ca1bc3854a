import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { closedPort, type RouterRig, routeTo, startRig } from './router-fixture';

/** A websocket echo backend: every message comes back as `You said: <message>`. */
async function startEchoServer(): Promise<{
  port: number;
  seenHeaders: Record<string, unknown>[];
  close(): Promise<void>;
}> {
  const server: Server = createServer((_req, res) => res.end('not a websocket'));
  const wss = new WebSocketServer({ server });
  const seenHeaders: Record<string, unknown>[] = [];
  wss.on('connection', (socket, req) => {
    seenHeaders.push(req.headers);
    socket.on('message', (data) => socket.send(`You said: ${data.toString()}`));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as AddressInfo).port,
    seenHeaders,
    close: async () => {
      for (const client of wss.clients) client.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function open(rig: RouterRig, host: string): WebSocket {
  return new WebSocket(`ws://127.0.0.1:${rig.router.port}/websocket`, { headers: { host } });
}

async function upgradeStatus(socket: WebSocket): Promise<number> {
  const [, response] = (await once(socket, 'unexpected-response')) as [
    unknown,
    { statusCode: number; destroy(): void },
  ];
  response.destroy();
  return response.statusCode;
}

describe('router websockets', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('passes a websocket through and echoes messages both ways', async () => {
    const rig = await startRig();
    cleanups.push(rig.close);
    const echo = await startEchoServer();
    cleanups.push(echo.close);
    rig.table.add('ws.test', routeTo('dead', await closedPort(), 'vt-ws'));
    rig.table.add('ws.test', routeTo('ws', echo.port, 'vt-ws'));

    const socket = open(rig, 'ws.test');
    await once(socket, 'open');
    const replies: string[] = [];
    socket.on('message', (data) => replies.push(data.toString()));
    for (const word of ['test', 'again']) {
      socket.send(word);
      await expect.poll(() => replies.at(-1)).toBe(`You said: ${word}`);
    }
    socket.close();
    await once(socket, 'close');

    expect(echo.seenHeaders[0]).toMatchObject({
      host: 'ws.test',
      'x-forwarded-host': 'ws.test',
      upgrade: 'websocket',
    });
    await expect.poll(() => rig.router.stats().versionTypes['vt-ws']?.['1xx']).toBe(1);
    expect(rig.router.stats().instances.ws?.bytes).toBeGreaterThan(0);
  });

  it('refuses upgrades it cannot route with 404, 503 and 502', async () => {
    const rig = await startRig();
    cleanups.push(rig.close);
    rig.table.addHostname('empty.test');
    rig.table.add('dead.test', routeTo('dead', await closedPort()));
    expect(await upgradeStatus(open(rig, 'nowhere.test'))).toBe(404);
    expect(await upgradeStatus(open(rig, 'empty.test'))).toBe(503);
    expect(await upgradeStatus(open(rig, 'dead.test'))).toBe(502);
  });

  it('cuts open websockets when the router closes', async () => {
    const rig = await startRig();
    const echo = await startEchoServer();
    cleanups.push(echo.close);
    rig.table.add('ws.test', routeTo('ws', echo.port));
    const socket = open(rig, 'ws.test');
    await once(socket, 'open');
    const closed = once(socket, 'close');
    await rig.close();
    await closed;
    expect(socket.readyState).toBe(WebSocket.CLOSED);
  });
});
