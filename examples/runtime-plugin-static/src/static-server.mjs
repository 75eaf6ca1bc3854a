// @ts-check
// One instance's server, run by the runtime as a process of its own (plain JavaScript, so that
// Node runs it as it is): node static-server.mjs <root> <port> <indexFile> <cacheSeconds>
import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import { extname, join, sep } from 'node:path';

const [root = '.', port = '0', indexFile = 'index.html', cacheSeconds = '0'] = process.argv.slice(2);
const types = new Map([
  ['.html', 'text/html; charset=utf-8'],
  ['.css', 'text/css; charset=utf-8'],
  ['.js', 'text/javascript; charset=utf-8'],
  ['.json', 'application/json'],
  ['.txt', 'text/plain; charset=utf-8'],
  ['.svg', 'image/svg+xml'],
  ['.png', 'image/png'],
  ['.jpg', 'image/jpeg'],
]);

/** The file a URL path names (a folder's index file), or undefined when it is missing or outside the root. */
async function fileFor(/** @type {string} */ path) {
  let real = await realpath(join(root, path)).catch(() => undefined);
  if (real !== undefined && (await stat(real)).isDirectory()) {
    real = await realpath(join(real, indexFile)).catch(() => undefined);
  }
  if (real === undefined || !real.startsWith(root + sep) || !(await stat(real)).isFile()) return undefined;
  return real;
}

/** @param {import('node:http').IncomingMessage} req @param {import('node:http').ServerResponse} res */
async function handle(req, res) {
  const reply = (/** @type {number} */ status, /** @type {string} */ text) =>
    res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' }).end(text);
  if (req.method !== 'GET' && req.method !== 'HEAD') return reply(405, 'Method Not Allowed');
  let path = '';
  try {
    path = decodeURIComponent(new URL(req.url ?? '/', 'http://static.invalid').pathname);
  } catch {
    return reply(400, 'Bad Request');
  }
  // Refuse traversal outright, whatever the URL parser made of it.
  if (path.includes('\0') || path.split(/[\\/]/).includes('..')) return reply(403, 'Forbidden');
  const file = await fileFor(path);
  if (file === undefined) return reply(404, 'Not Found');
  res.writeHead(200, {
    'content-type': types.get(extname(file).toLowerCase()) ?? 'application/octet-stream',
    'cache-control': cacheSeconds === '0' ? 'no-cache' : `public, max-age=${cacheSeconds}`,
  });
  if (req.method === 'HEAD') return res.end();
  createReadStream(file)
    .on('error', () => res.destroy())
    .pipe(res);
}

createServer((req, res) =>
  handle(req, res).catch((error) => {
    console.error(`${req.url}: ${error}`);
    res.destroy();
  }),
).listen(Number(port), '127.0.0.1', () => console.log(`serving ${root} on 127.0.0.1:${port}`));
