import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { type IncomingMessage, request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { type Backend, type RouterRig, routeTo, send, startBackend, startRig } from './router-fixture';

function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

describe('router streaming', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  async function setup(): Promise<{ rig: RouterRig; backend: Backend }> {
    const rig = await startRig();
    cleanups.push(rig.close);
    const backend = await startBackend('stream');
    cleanups.push(backend.close);
    rig.table.add('stream.test', routeTo('stream', backend.port));
    return { rig, backend };
  }

  it('streams a 20 MB chunked upload to the backend and its echo back intact', async () => {
    const { rig } = await setup();
    const payload = randomBytes(20 * 1024 * 1024);
    const req = request({
      host: '127.0.0.1',
      port: rig.router.port,
      method: 'POST',
      path: '/echo',
      agent: false,
      headers: { host: 'stream.test' },
    });
    // Read the echo while still writing: an echo server cannot take the whole body first.
    const received = (async () => {
      const [res] = (await once(req, 'response')) as [IncomingMessage];
      const hash = createHash('sha256');
      let length = 0;
      for await (const chunk of res) {
        hash.update(chunk as Buffer);
        length += (chunk as Buffer).length;
      }
      return { status: res.statusCode, length, digest: hash.digest('hex') };
    })();
    for (let offset = 0; offset < payload.length; offset += 1024 * 1024) {
      if (!req.write(payload.subarray(offset, offset + 1024 * 1024))) await once(req, 'drain');
    }
    req.end();
    const echoed = await received;
    expect(echoed.status).toBe(200);
    expect(echoed.length).toBe(payload.length);
    expect(echoed.digest).toBe(sha256(payload));
    // Counted when the router's side of the response closes, which may trail the client's last read.
    await expect.poll(() => rig.router.stats().instances.stream?.bytes).toBe(payload.length);
  });

  it('streams a body sent with a Content-Length', async () => {
    const { rig } = await setup();
    const payload = randomBytes(3 * 1024 * 1024 + 7);
    const reply = await send(rig.router, {
      host: 'stream.test',
      method: 'POST',
      path: '/echo',
      headers: { 'content-length': String(payload.length) },
      body: payload,
    });
    expect(reply.status).toBe(200);
    expect(sha256(reply.body)).toBe(sha256(payload));
  });

  it('survives a client that goes away mid-response or mid-upload', async () => {
    const { rig } = await setup();
    const downloading = request({
      host: '127.0.0.1',
      port: rig.router.port,
      path: '/stream',
      agent: false,
      headers: { host: 'stream.test' },
    });
    downloading.on('error', () => {});
    downloading.end();
    const [res] = (await once(downloading, 'response')) as [IncomingMessage];
    res.on('error', () => {});
    let received = 0;
    for await (const chunk of res) {
      received += (chunk as Buffer).length;
      if (received > 256 * 1024) break;
    }
    downloading.destroy();

    const uploading = request({
      host: '127.0.0.1',
      port: rig.router.port,
      method: 'POST',
      path: '/echo',
      agent: false,
      headers: { host: 'stream.test', 'content-length': String(10 * 1024 * 1024) },
    });
    uploading.on('error', () => {});
    uploading.write(randomBytes(1024 * 1024));
    await new Promise((resolve) => setTimeout(resolve, 50));
    uploading.destroy();

    const after = await send(rig.router, { host: 'stream.test' });
    expect(after.status).toBe(200);
    expect(JSON.parse(after.text).name).toBe('stream');
  });

  it('cuts the client connection when the backend fails mid-response', async () => {
    const { rig } = await setup();
    const req = request({
      host: '127.0.0.1',
      port: rig.router.port,
      path: '/cut',
      agent: false,
      headers: { host: 'stream.test' },
    });
    req.on('error', () => {});
    req.end();
    const [res] = (await once(req, 'response')) as [IncomingMessage];
    expect(res.statusCode).toBe(200);
    res.on('error', () => {});
    const closed = new Promise((resolve) => res.on('close', resolve));
    res.resume();
    await closed;
    expect(res.complete).toBe(false);
    expect((await send(rig.router, { host: 'stream.test' })).status).toBe(200);
  });
});
