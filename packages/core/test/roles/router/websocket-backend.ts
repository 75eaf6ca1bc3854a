import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';

/** A websocket echo backend: every message comes back as `You said: <message>`. */
export interface WebSocketBackend {
  readonly port: number;
  /** The request headers of every websocket it accepted, in order. */
  readonly seenHeaders: Record<string, unknown>[];
  close(): Promise<void>;
}

/** Starts a {@link WebSocketBackend} on loopback; plain HTTP requests get `not a websocket`. */
export async function startWebSocketBackend(): Promise<WebSocketBackend> {
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

/** A websocket to `path` through the router on `port`, for `host`. */
export function openThrough(
  port: number,
  host: string,
  options: { path?: string; headers?: Record<string, string> } = {},
): WebSocket {
  return new WebSocket(`ws://127.0.0.1:${port}${options.path ?? '/websocket'}`, {
    headers: { host, ...options.headers },
  });
}

/** The status of an upgrade the other side refused. */
export async function refusedUpgradeStatus(socket: WebSocket): Promise<number> {
  const [, response] = (await once(socket, 'unexpected-response')) as [
    unknown,
    { statusCode: number; destroy(): void },
  ];
  response.destroy();
  return response.statusCode;
}
