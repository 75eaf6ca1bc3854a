import { Agent, type AgentOptions, type ClientRequestArgs } from 'node:http';
import { connect, type Socket } from 'node:net';
import { connectTimeoutError } from './proxy-context';

/** Sockets that finished connecting: an error on one of them came after the backend could see bytes. */
const connectedSockets = new WeakSet<object>();

/**
 * The router's keep-alive pool of backend connections. A new connection that is not accepted
 * within `connectTimeoutMs` is destroyed with an `ETIMEDOUT` error, so a request never waits on
 * a lost machine for longer; the timer lives with the connection, so a request on a pooled one
 * pays nothing for it.
 */
export class UpstreamAgent extends Agent {
  constructor(
    options: AgentOptions,
    readonly connectTimeoutMs: number,
  ) {
    // An empty server name: only TLS uses one, and without it Node derives one from the Host
    // header (an isIP() check) on every request.
    super({ ...options, servername: '' } as AgentOptions);
  }

  /** Whether `socket` (a request's) has connected; `false` for one that failed or timed out connecting. */
  static isConnected(socket: object | null | undefined): boolean {
    return socket !== null && socket !== undefined && connectedSockets.has(socket);
  }

  override createConnection(options: ClientRequestArgs): Socket {
    const socket = connect(options as Parameters<typeof connect>[0]);
    const timer = setTimeout(
      () => socket.destroy(connectTimeoutError(this.connectTimeoutMs)),
      this.connectTimeoutMs,
    );
    socket.once('connect', () => {
      clearTimeout(timer);
      connectedSockets.add(socket);
    });
    socket.once('close', () => clearTimeout(timer));
    return socket;
  }
}
