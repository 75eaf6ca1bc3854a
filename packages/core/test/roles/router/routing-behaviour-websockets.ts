import { once } from 'node:events';
import { expect, it, vi } from 'vitest';
import { closedPort, routeTo } from './router-fixture';
import type { RoutingBehaviourContext } from './routing-behaviour';
import { openThrough, refusedUpgradeStatus, startWebSocketBackend } from './websocket-backend';

/** Websocket upgrades: passed through both ways, refused with the status HTTP would get. */
export function websocketCases(context: RoutingBehaviourContext): void {
  it('passes a websocket through (past a dead instance) and echoes messages both ways', async () => {
    const echo = await startWebSocketBackend();
    context.afterCase(echo.close);
    context.table.add('ws.test', routeTo('ws-dead', await closedPort(), 'vt-ws'));
    context.table.add('ws.test', routeTo('ws', echo.port, 'vt-ws'));
    await context.router().settled();

    for (let round = 0; round < 3; round += 1) {
      const socket = openThrough(context.router().port, 'WS.test:1234');
      await once(socket, 'open');
      const replies: string[] = [];
      socket.on('message', (data) => replies.push(data.toString()));
      for (const word of ['test', 'again']) {
        socket.send(word);
        await vi.waitFor(() => expect(replies.at(-1)).toBe(`You said: ${word}`), { timeout: 10_000 });
      }
      socket.close();
      await once(socket, 'close');
    }
    expect(echo.seenHeaders).toHaveLength(3);
    expect(echo.seenHeaders[0]).toMatchObject({
      host: 'WS.test:1234',
      'x-forwarded-host': 'WS.test:1234',
      'x-forwarded-proto': 'http',
      upgrade: 'websocket',
    });
    await vi.waitFor(
      async () => expect(await context.router().counts({ versionType: 'vt-ws' })).toMatchObject({ '1xx': 3 }),
      { timeout: 30_000, interval: 100 },
    );
    expect((await context.router().counts({ instance: 'ws' })).bytes).toBeGreaterThan(0);
    expect((await context.router().counts({ instance: 'ws-dead' })).requests).toBe(0);
  });

  it('refuses upgrades it cannot route with 404, 503 and 502', async () => {
    context.table.addHostname('ws-empty.test');
    context.table.add('ws-dead.test', routeTo('ws-only-dead', await closedPort()));
    await context.router().settled();
    const port = context.router().port;
    expect(await refusedUpgradeStatus(openThrough(port, 'ws-nowhere.test'))).toBe(404);
    expect(await refusedUpgradeStatus(openThrough(port, 'ws-empty.test'))).toBe(503);
    expect(await refusedUpgradeStatus(openThrough(port, 'ws-dead.test'))).toBe(502);
  });
}
