import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';

/** Ports to pick from, inclusive. */
export interface PortRange {
  from: number;
  to: number;
}

const handedOut = new Set<number>();

/**
 * A port nothing listens on, from `range`; by default one above the system's ephemeral range, so
 * that no client socket or port-0 listener of a test running alongside is handed it while a test
 * checks that a stopped instance released it. A port is handed out once per process. When test
 * files run in parallel, give each file a range of its own.
 */
export async function freePort(range?: PortRange): Promise<number> {
  const { from, to } = range ?? (await aboveEphemeralRange());
  for (let attempt = 0; attempt < 1000; attempt += 1) {
    const port = from + Math.floor(Math.random() * (to - from + 1));
    if (handedOut.has(port)) continue;
    // Taken before the probe, so that concurrent calls never hand out the same port.
    handedOut.add(port);
    if (await canListen(port)) return port;
    handedOut.delete(port);
  }
  throw new Error(`freePort: no free port in ${from}-${to}; give it a wider range.`);
}

async function aboveEphemeralRange(): Promise<PortRange> {
  const text = await readFile('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').catch(() => '32768 60999');
  const last = Number(text.trim().split(/\s+/)[1]);
  return { from: Number.isInteger(last) && last < 65_000 ? last + 1 : 61_000, to: 65_535 };
}

function canListen(port: number): Promise<boolean> {
  const server = createServer();
  return new Promise((resolve) => {
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}
