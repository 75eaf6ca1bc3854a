import { request } from 'node:http';

/**
 * The status of `GET path` on `127.0.0.1:port`, or `undefined` when nothing answers within
 * `timeoutMs`. What a heart's health check asks: a status below 500 counts as up.
 */
export function httpStatus(port: number, path = '/', timeoutMs = 5_000): Promise<number | undefined> {
  return new Promise((resolve) => {
    const req = request(
      { host: '127.0.0.1', port, path, method: 'GET', agent: false, timeout: timeoutMs },
      (res) => {
        res.resume();
        resolve(res.statusCode);
      },
    );
    req.once('error', () => resolve(undefined));
    req.once('timeout', () => req.destroy());
    req.end();
  });
}
