import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { routeTo, startRig } from './router-fixture';
import { openThrough, startWebSocketBackend } from './websocket-backend';

// Websockets through every router are the shared suite's (routing-behaviour-websockets.ts); here
// what the built-in router's close() does to them.
describe('router websockets', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('cuts open websockets when the router closes', async () => {
    const rig = await startRig();
    const echo = await startWebSocketBackend();
    cleanups.push(echo.close);
    rig.table.add('ws.test', routeTo('ws', echo.port));
    const socket = openThrough(rig.router.port, 'ws.test');
    await once(socket, 'open');
    const closed = once(socket, 'close');
    await rig.close();
    await closed;
    expect(socket.readyState).toBe(WebSocket.CLOSED);
  });
});
