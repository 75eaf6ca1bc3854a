import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { extname, join, resolve } from 'node:path';
import type { Logger } from '@paasmaker/core';
import { isInside } from './document-root';

export interface StaticServerOptions {
  /** File served for a request naming a folder. */
  indexFile: string;
  /** `Cache-Control: max-age`; 0 sends `no-cache`. */
  cacheSeconds: number;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
};

function send(response: ServerResponse, status: number, body: string): void {
  response.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' }).end(body);
}

/** Maps a request path to a file inside `root`, or undefined when it would escape or is absent. */
async function findFile(root: string, urlPath: string, indexFile: string): Promise<string | undefined> {
  const target = resolve(root, `.${urlPath}`);
  if (!isInside(root, target)) return undefined;
  try {
    const real = await realpath(target);
    if (!isInside(root, real)) return undefined;
    const info = await stat(real);
    if (info.isFile()) return real;
    if (info.isDirectory()) return findFile(root, join(urlPath, indexFile), indexFile);
  } catch {
    // missing or unreadable: not found
  }
  return undefined;
}

async function handle(root: string, options: StaticServerOptions, req: IncomingMessage, res: ServerResponse) {
  if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'Method Not Allowed');
  let urlPath: string;
  try {
    urlPath = decodeURIComponent(new URL(req.url ?? '/', 'http://static.invalid').pathname);
  } catch {
    return send(res, 400, 'Bad Request');
  }
  // Refuse traversal outright, whatever the URL parser made of it.
  if (urlPath.includes('\0') || urlPath.split(/[\\/]/).includes('..')) return send(res, 403, 'Forbidden');
  const file = await findFile(root, urlPath, options.indexFile);
  if (!file) return send(res, 404, 'Not Found');
  res.writeHead(200, {
    'content-type': CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
    'cache-control': options.cacheSeconds > 0 ? `public, max-age=${options.cacheSeconds}` : 'no-cache',
  });
  if (req.method === 'HEAD') return void res.end();
  createReadStream(file)
    .on('error', () => res.destroy())
    .pipe(res);
}

/** Starts an HTTP server for `root` on 127.0.0.1:`port`; resolves once it listens. */
export function listenStatic(root: string, port: number, options: StaticServerOptions, log: Logger) {
  const server = createServer((req, res) => {
    handle(root, options, req, res).catch((error: unknown) => {
      log.error({ err: error, url: req.url }, 'static request failed');
      if (!res.headersSent) send(res, 500, 'Internal Server Error');
      else res.destroy();
    });
  });
  return new Promise<Server>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolveListen(server);
    });
  });
}

/** Closes `server`, dropping kept-alive connections so it stops promptly. */
export function closeServer(server: Server): Promise<void> {
  return new Promise((resolveClose, reject) => {
    server.close((error) => (error ? reject(error) : resolveClose()));
    server.closeAllConnections();
  });
}
