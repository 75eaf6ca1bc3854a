// @ts-check
import { request } from 'node:http';

/**
 * One GET through the router at 127.0.0.1:`port` with `hostname` as the Host header: status and
 * body, or the error.
 * @param {number} port
 * @param {string} hostname
 * @param {import('node:http').Agent} agent
 */
export function routerGet(port, hostname, agent) {
  return /** @type {Promise<{ status: number, body: string } | { error: string }>} */ (
    new Promise((resolve) => {
      const req = request(
        { host: '127.0.0.1', port, path: '/', agent, headers: { host: hostname } },
        (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (chunk) => {
            body += chunk;
          });
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
          res.on('error', (error) => resolve({ error: error.message }));
        },
      );
      req.on('error', (error) =>
        resolve({ error: /** @type {NodeJS.ErrnoException} */ (error).code ?? error.message }),
      );
      req.end();
    })
  );
}
