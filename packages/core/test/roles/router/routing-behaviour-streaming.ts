import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { type IncomingMessage, request } from 'node:http';
import { expect, it, vi } from 'vitest';
import { routeTo, send } from './router-fixture';
import type { RoutingBehaviourContext } from './routing-behaviour';

const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

/** Bodies stream both ways, whatever their size, and either side may go away mid-stream. */
export function streamingCases(context: RoutingBehaviourContext): void {
  const streamHost = async (): Promise<string> => {
    const backend = await context.backend('stream');
    context.table.add('stream.test', routeTo('stream', backend.port, 'vt-stream'));
    await context.router().settled();
    return 'stream.test';
  };
  const open = (path: string, headers: Record<string, string> = {}, method = 'GET') => {
    const req = request({
      host: '127.0.0.1',
      port: context.router().port,
      method,
      path,
      agent: false,
      headers: { host: 'stream.test', ...headers },
    });
    req.on('error', () => undefined);
    return req;
  };

  /** Writes `payload` to `req` in 1 MiB chunks (chunked: no Content-Length), minding backpressure, then ends it. */
  const upload = async (req: ReturnType<typeof open>, payload: Buffer): Promise<void> => {
    for (let offset = 0; offset < payload.length; offset += 1024 * 1024) {
      if (!req.write(payload.subarray(offset, offset + 1024 * 1024))) await once(req, 'drain');
    }
    req.end();
  };
  /** The status, length and digest of a response read whole. */
  const digestOf = async (req: ReturnType<typeof open>) => {
    const [res] = (await once(req, 'response')) as [IncomingMessage];
    const hash = createHash('sha256');
    let length = 0;
    for await (const chunk of res) {
      hash.update(chunk as Buffer);
      length += (chunk as Buffer).length;
    }
    return { status: res.statusCode, length, digest: hash.digest('hex') };
  };

  it('streams a 20 MB chunked upload to the instance whole', async () => {
    await streamHost();
    const payload = randomBytes(20 * 1024 * 1024);
    const req = open('/digest', {}, 'POST');
    const answered = once(req, 'response').then(async ([res]: IncomingMessage[]) => {
      let text = '';
      for await (const chunk of res ?? []) text += String(chunk);
      return text;
    });
    await upload(req, payload);
    expect(JSON.parse(await answered)).toEqual({ bytes: payload.length, sha256: sha256(payload) });
  });

  it('streams the answer back while the upload is still going on, counting its bytes', async () => {
    await streamHost();
    const { fullDuplexBodies, countsBodyBytesOnly } = context.router().differences;
    // nginx stops passing the request body on once it passes the instance's answer on, so an
    // instance that answers while reading gets only what the socket buffers held by then (a few MB).
    const payload = randomBytes((fullDuplexBodies ? 20 : 1) * 1024 * 1024);
    const before = (await context.router().counts({ instance: 'stream' })).bytes;
    const req = open('/echo', {}, 'POST');
    // Read the echo while still writing: an echo server cannot take the whole body first.
    const echoed = digestOf(req);
    await upload(req, payload);
    expect(await echoed).toEqual({ status: 200, length: payload.length, digest: sha256(payload) });
    await vi.waitFor(
      async () => {
        const bytes = (await context.router().counts({ instance: 'stream' })).bytes - before;
        if (countsBodyBytesOnly) expect(bytes).toBe(payload.length);
        else expect(bytes).toBeGreaterThan(payload.length);
      },
      { timeout: 30_000, interval: 100 },
    );
  });

  it('passes a body with a Content-Length whole, and one read whole before the answer', async () => {
    await streamHost();
    const odd = randomBytes(3 * 1024 * 1024 + 7);
    const echoed = await send(context.router(), {
      host: 'stream.test',
      method: 'POST',
      path: '/echo',
      headers: { 'content-length': String(odd.length) },
      body: odd,
    });
    expect(echoed.status).toBe(200);
    expect(sha256(echoed.body)).toBe(sha256(odd));
    const big = randomBytes(8 * 1024 * 1024);
    const digested = await send(context.router(), {
      host: 'stream.test',
      method: 'POST',
      path: '/digest',
      body: big,
    });
    expect(JSON.parse(digested.text)).toEqual({ bytes: big.length, sha256: sha256(big) });
  });

  it('keeps serving after a client goes away mid-response and mid-upload', async () => {
    await streamHost();
    const downloading = open('/stream');
    downloading.end();
    const [res] = (await once(downloading, 'response')) as [IncomingMessage];
    res.on('error', () => undefined);
    let received = 0;
    for await (const chunk of res) {
      received += (chunk as Buffer).length;
      if (received > 256 * 1024) break;
    }
    downloading.destroy();

    const uploading = open('/echo', { 'content-length': String(10 * 1024 * 1024) }, 'POST');
    uploading.write(randomBytes(1024 * 1024));
    await new Promise((resolve) => setTimeout(resolve, 50));
    uploading.destroy();

    const after = await send(context.router(), { host: 'stream.test' });
    expect(after.status).toBe(200);
    expect(JSON.parse(after.text).name).toBe('stream');
  });

  it('cuts the client connection when the instance fails mid-response', async () => {
    await streamHost();
    const req = open('/cut');
    req.end();
    const [res] = (await once(req, 'response')) as [IncomingMessage];
    expect(res.statusCode).toBe(200);
    res.on('error', () => undefined);
    const closed = new Promise((resolve) => res.on('close', resolve));
    res.resume();
    await closed;
    expect(res.complete).toBe(false);
    expect((await send(context.router(), { host: 'stream.test' })).status).toBe(200);
  });
}
