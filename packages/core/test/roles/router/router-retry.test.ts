import { spawn } from 'node:child_process';
import net from 'node:net';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { RoutingTable, startRouter } from '../../../src/roles/router/index';
import { closedPort, routeTo, send, startBackend } from './router-fixture';

/** A pino logger that keeps the `msg` of every line it writes. */
function recordingLogger(): { logger: pino.Logger; messages: string[] } {
  const messages: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line) messages.push(JSON.parse(line).msg);
      done();
    },
  });
  return { logger: pino({ level: 'warn' }, sink), messages };
}

// Retries as every router does them are the shared suite's (routing-behaviour-balancing.ts); here
// the built-in router's own: its dead marks (deadBackendMs) and its connect timeout.
describe('router retries', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('with dead marks off (deadBackendMs 0) retries a refused connection on every request that meets it', async () => {
    const table = new RoutingTable();
    // deadBackendMs 0: the dead instance stays in the draw, so retries happen on many requests.
    const router = await startRouter({ table, deadBackendMs: 0 });
    cleanups.push(() => router.close());
    const live = await startBackend('live');
    cleanups.push(live.close);
    table.add('retry.test', routeTo('dead', await closedPort()));
    table.add('retry.test', routeTo('live', live.port));
    for (let i = 0; i < 50; i += 1) {
      const reply = await send(router, { host: 'retry.test' });
      expect(reply.status).toBe(200);
    }
    expect(live.hits).toBe(50);
    expect(router.stats().instances.dead).toBeUndefined();
  });

  it('tries a refusing instance last while it is marked dead', async () => {
    const table = new RoutingTable();
    const { logger, messages } = recordingLogger();
    const router = await startRouter({ table, logger, deadBackendMs: 60_000 });
    cleanups.push(() => router.close());
    const live = await startBackend('live');
    cleanups.push(live.close);
    table.add('mark.test', routeTo('dead', await closedPort()));
    table.add('mark.test', routeTo('live', live.port));
    for (let i = 0; i < 40; i += 1) expect((await send(router, { host: 'mark.test' })).status).toBe(200);
    expect(messages.filter((msg) => msg.startsWith('backend refused')).length).toBeLessThanOrEqual(1);
  });

  it('retries an instance that does not accept within connectTimeoutMs elsewhere, and tries it last after', async () => {
    const table = new RoutingTable();
    const { logger, messages } = recordingLogger();
    const router = await startRouter({ table, logger, connectTimeoutMs: 300, deadBackendMs: 60_000 });
    cleanups.push(() => router.close());
    const live = await startBackend('live');
    cleanups.push(live.close);
    const silent = await silentPort();
    cleanups.push(silent.close);
    table.add('silent.test', routeTo('silent', silent.port));
    // Alone, it is given up on after the timeout (not the 10 s of old), and marked dead.
    expect((await send(router, { host: 'silent.test' })).status).toBe(502);
    expect(messages).toEqual(['backend refused; trying another instance']);
    table.add('silent.test', routeTo('live', live.port));
    for (let i = 0; i < 20; i += 1) expect((await send(router, { host: 'silent.test' })).status).toBe(200);
    expect(live.hits).toBe(20);
    expect(messages).toHaveLength(1);
  });
});

/**
 * A port whose connections hang in the connect phase, like an instance on a lost machine: a
 * listener (backlog 1) in a stopped child process whose accept queue is full, so new SYNs are dropped.
 */
async function silentPort(): Promise<{ port: number; close(): Promise<void> }> {
  const script =
    "const s=require('net').createServer();s.listen({port:0,host:'127.0.0.1',backlog:1},()=>{console.log(s.address().port);process.kill(process.pid,'SIGSTOP')})";
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve) =>
    child.stdout.once('data', (data) => resolve(Number(String(data)))),
  );
  const fillers: net.Socket[] = [];
  // Connections complete into the accept queue until it is full; the rest stay connecting.
  while (fillers.filter((socket) => socket.connecting).length < 1) {
    const socket = net.connect(port, '127.0.0.1');
    socket.on('error', () => {});
    fillers.push(socket);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    port,
    close: async () => {
      for (const socket of fillers) socket.destroy();
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
    },
  };
}
