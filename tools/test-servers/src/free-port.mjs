// @ts-check
import { createServer } from 'node:net';

// Below Linux's ephemeral range (32768 and up), so no outgoing connection can take a server's port.
export const portRange = { first: 20000, last: 31999 };

/** Ports this process has handed out, so parallel starts never get the same one. */
const handedOut = new Set();

/** @returns {Promise<number>} a port that nothing listens on at 127.0.0.1 */
export async function pickFreePort() {
  const size = portRange.last - portRange.first + 1;
  const offset = Math.floor(Math.random() * size);
  for (let i = 0; i < size; i++) {
    const port = portRange.first + ((offset + i) % size);
    if (handedOut.has(port)) continue;
    handedOut.add(port);
    if (await canBind(port)) return port;
    handedOut.delete(port);
  }
  throw new Error(`no free TCP port on 127.0.0.1 in ${portRange.first}-${portRange.last}`);
}

/** @param {number} port */
function canBind(port) {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => server.close(() => resolve(true)));
  });
}
