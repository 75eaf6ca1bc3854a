import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { InstancePortAllocator, isPortInUse } from '../../../src/roles/heart/index';
import { errorFrom } from '../../kernel/test-plugin';
import { HeartFixture, recordingCall } from './heart-fixture';
import { packageApp, registrationFor } from './heart-test-apps';

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await new Promise((resolve) => server.close(resolve));
});

const listen = (port: number, host: string) =>
  new Promise<Server>((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, host, () => {
      servers.push(server);
      resolve(server);
    });
  });

/** `count` consecutive ports nobody listens on. */
async function freeRun(count: number): Promise<number> {
  for (;;) {
    const min = 43000 + Math.floor(Math.random() * 15000);
    let free = true;
    for (let port = min; port < min + count && free; port += 1) free = !(await isPortInUse(port));
    if (free) return min;
  }
}

describe('instance port allocation', () => {
  it('never hands out a port someone listens on, on 127.0.0.1 or on 0.0.0.0', async () => {
    const min = await freeRun(3);
    await listen(min, '127.0.0.1');
    await listen(min + 1, '0.0.0.0');
    const allocator = new InstancePortAllocator({ min, max: min + 2 });
    expect(await allocator.allocate()).toBe(min + 2);
    expect((await errorFrom(() => allocator.allocate())).code).toBe('E_PORT_EXHAUSTED');
  });

  it('never reuses an allocated port, and hands a released one out again', async () => {
    const min = await freeRun(3);
    const allocator = new InstancePortAllocator({ min, max: min + 2 });
    const ports = await Promise.all([allocator.allocate(), allocator.allocate(), allocator.allocate()]);
    expect(new Set(ports).size).toBe(3);
    expect((await errorFrom(() => allocator.allocate())).code).toBe('E_PORT_EXHAUSTED');
    allocator.release(min + 1);
    expect(await allocator.allocate()).toBe(min + 1);
  });

  it('the heart keeps ports allocated across registrations and a restart', async () => {
    const fx = new HeartFixture();
    await fx.setUp();
    try {
      const min = await freeRun(2);
      const portRange = { min, max: min + 1 };
      const first = await fx.open({ portRange });
      await first.heart.start();
      const call = recordingCall();
      const pkg = await packageApp(fx.root, 'echo');
      const a = await first.heart.register(registrationFor(pkg), call);
      await first.kernel.close();

      const { heart } = await fx.open({ portRange });
      await heart.start();
      const b = await heart.register(registrationFor(pkg), call);
      expect([a.port, b.port].sort()).toEqual([min, min + 1]);
      expect((await errorFrom(() => heart.register(registrationFor(pkg), call))).code).toBe(
        'E_PORT_EXHAUSTED',
      );
      await heart.deregister(a.instanceId, call);
      expect((await heart.register(registrationFor(pkg), call)).port).toBe(a.port);
    } finally {
      await fx.cleanUp();
    }
  });
});
