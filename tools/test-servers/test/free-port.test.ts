import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { pickFreePort, portRange } from '../src/free-port.mjs';

function bind(port: number): Promise<() => Promise<void>> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () =>
      resolve(() => new Promise((done) => server.close(() => done()))),
    );
  });
}

describe('pickFreePort', () => {
  it('hands out distinct, bindable ports below the ephemeral range', async () => {
    const ports = await Promise.all(Array.from({ length: 8 }, () => pickFreePort()));
    expect(new Set(ports).size).toBe(ports.length);
    for (const port of ports) {
      expect(port).toBeGreaterThanOrEqual(portRange.first);
      expect(port).toBeLessThanOrEqual(portRange.last);
    }
    const closers = await Promise.all(ports.map(bind));
    await Promise.all(closers.map((close) => close()));
  });
});
