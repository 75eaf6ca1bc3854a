import { createConnection, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy in front of a test server that can hold back new connections: while held, a
 * client's connection is accepted but nothing it sends reaches the server (nor is it answered)
 * until {@link HoldingTcpProxy.release}. A store connected through it whose connection the
 * server kills cannot reconnect before the test says so, which makes "an event published while
 * the subscriber was away" happen every time instead of when the reconnect is slow enough.
 */
export class HoldingTcpProxy {
  private readonly sockets = new Set<Socket>();
  private held: (() => void)[] | undefined;

  private constructor(
    private readonly server: Server,
    private readonly target: { host: string; port: number },
  ) {
    server.on('connection', (client) => this.accept(client));
  }

  /** Listens on a free port of 127.0.0.1, forwarding to `target`. */
  static async start(target: { host: string; port: number }): Promise<HoldingTcpProxy> {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', resolve);
    });
    return new HoldingTcpProxy(server, target);
  }

  /** The port clients connect to. */
  get port(): number {
    return (this.server.address() as { port: number }).port;
  }

  /** Holds every connection opened from now on until {@link HoldingTcpProxy.release}. */
  hold(): void {
    this.held ??= [];
  }

  /** Lets held connections through, and new ones at once. */
  release(): void {
    const waiting = this.held ?? [];
    this.held = undefined;
    for (const forward of waiting) forward();
  }

  /** Drops every connection and stops listening. */
  async close(): Promise<void> {
    this.held = undefined;
    for (const socket of this.sockets) socket.destroy();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private accept(client: Socket): void {
    this.track(client);
    // Unread until piped: what a held client sends waits in its socket.
    const forward = (): void => {
      if (client.destroyed) return;
      const upstream = createConnection(this.target);
      this.track(upstream);
      upstream.on('close', () => client.destroy());
      client.on('close', () => upstream.destroy());
      client.pipe(upstream);
      upstream.pipe(client);
    };
    if (this.held) this.held.push(forward);
    else forward();
  }

  private track(socket: Socket): void {
    this.sockets.add(socket);
    // A reset from either side ends both (the 'close' handlers above); nothing to report.
    socket.on('error', () => socket.destroy());
    socket.on('close', () => this.sockets.delete(socket));
  }
}
