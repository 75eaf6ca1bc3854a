import { execFileSync } from 'node:child_process';
import { cp } from 'node:fs/promises';
import { request } from 'node:http';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';

export const HELLO_NODE = fileURLToPath(new URL('../../../../examples/apps/hello-node', import.meta.url));
export const HELLO_PHP = fileURLToPath(new URL('../../../../examples/apps/hello-php', import.meta.url));

/** A CLI output stream that keeps what is written; `until` waits for a pattern to appear. */
export function capture() {
  const waiting: { pattern: RegExp; resolve(match: RegExpMatchArray): void }[] = [];
  return {
    isTTY: false,
    text: '',
    write(text: string) {
      this.text += text;
      for (const waiter of [...waiting]) {
        const match = this.text.match(waiter.pattern);
        if (!match) continue;
        waiting.splice(waiting.indexOf(waiter), 1);
        waiter.resolve(match);
      }
      return true;
    },
    /** Resolves with the first match of `pattern` in what was written (now or later). */
    until(pattern: RegExp): Promise<RegExpMatchArray> {
      const match = this.text.match(pattern);
      if (match) return Promise.resolve(match);
      return new Promise((resolve) => waiting.push({ pattern, resolve }));
    },
  };
}

/** GET `url` from the router with its Host header (fetch cannot set Host). */
export function viaRouter(routerUrl: string, url: string): Promise<{ status: number; body: string }> {
  const target = new URL(url);
  const router = new URL(routerUrl);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: router.hostname,
        port: router.port,
        path: target.pathname,
        headers: { host: target.host },
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk) => {
          body += chunk;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

export const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { cwd, stdio: 'pipe' });

/** A copy of `from` in a new git repository at `into`, everything committed. */
export async function gitRepo(from: string, into: string): Promise<string> {
  await cp(from, into, { recursive: true });
  git(into, 'init', '-q');
  git(into, 'add', '-A');
  git(into, 'commit', '-q', '-m', 'init');
  return into;
}

/**
 * A TCP proxy to `127.0.0.1:<port>` that can be paused: while paused, its connections are cut
 * and new ones are reset at once, as if the server behind it were unreachable.
 */
export class PausableProxy {
  private paused = false;
  private readonly sockets = new Set<Socket>();

  private constructor(private readonly server: Server) {}

  static async start(port: number): Promise<PausableProxy> {
    const server = createServer();
    const proxy = new PausableProxy(server);
    server.on('connection', (client) => proxy.accept(client, port));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as { port: number }).port}`;
  }

  pause(): void {
    this.paused = true;
    for (const socket of this.sockets) socket.resetAndDestroy();
  }

  resume(): void {
    this.paused = false;
  }

  close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: Socket, port: number): void {
    client.on('error', () => undefined);
    if (this.paused) {
      client.resetAndDestroy();
      return;
    }
    const upstream = connect(port, '127.0.0.1');
    for (const socket of [client, upstream]) {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
      socket.on('error', () => undefined);
    }
    client.pipe(upstream).pipe(client);
  }
}
