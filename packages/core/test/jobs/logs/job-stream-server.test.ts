import { randomUUID } from 'node:crypto';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { JobStreamServer } from '../../../src/jobs/logs/job-stream-server';
import { constantTimeEqual } from '../../../src/kernel/constant-time-equal';
import { PaasmakerError } from '../../../src/kernel/errors';
import { fileText, openStreamSocket, StreamFixture, socketsOf, until } from './job-stream-fixtures';

// The token is compared by the one constant-time compare (hashes first, so not even the length
// shows); the spy checks that every header, whatever its length, goes through it.
vi.mock('../../../src/kernel/constant-time-equal', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../../src/kernel/constant-time-equal')>();
  return { constantTimeEqual: vi.fn(original.constantTimeEqual) };
});

let fixture: StreamFixture;
const sockets: WebSocket[] = [];

beforeEach(async () => {
  fixture = await new StreamFixture().init();
});

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.terminate();
  await fixture.cleanup();
});

/** A raw websocket client that records what the server sends, terminated after the test. */
async function connect(url: string, headers: Record<string, string> = {}) {
  const client = await openStreamSocket(url, headers);
  sockets.push(client.socket);
  return client;
}

/** The HTTP status a websocket upgrade gets, or 101 when it was accepted. */
function upgradeStatus(url: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { headers });
    sockets.push(socket);
    socket.once('open', () => resolve(101));
    socket.once('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
    socket.once('error', reject);
  });
}

describe('JobStreamServer', () => {
  it('refuses a missing or wrong token with 401 before upgrading', async () => {
    const logs = await fixture.logFiles();
    const { server, url } = await fixture.server('node-a', logs, { token: 's3cret-token' });
    expect(await upgradeStatus(url, {})).toBe(401);
    expect(await upgradeStatus(url, { authorization: 'Bearer wrong-token!' })).toBe(401);
    expect(await upgradeStatus(url, { authorization: 'Bearer s3cret-tokenX' })).toBe(401);
    expect(socketsOf(server).clients.size).toBe(0);
    expect(await upgradeStatus(url, { authorization: 'Bearer s3cret-token' })).toBe(101);
    expect(await upgradeStatus(url.replace('/jobs/stream', '/elsewhere'), {})).toBe(404);
  });

  it('compares tokens of any length with the one constant-time compare, and refuses wrong ones', async () => {
    const logs = await fixture.logFiles();
    const { url } = await fixture.server('node-a', logs, { token: 's3cret-token' });
    const compare = vi.mocked(constantTimeEqual);
    for (const given of ['Bearer s3cret-tokeX', 'Bearer s', 'Bearer s3cret-token-and-more']) {
      compare.mockClear();
      expect(await upgradeStatus(url, { authorization: given })).toBe(401);
      expect(compare).toHaveBeenCalledWith(given, 'Bearer s3cret-token');
    }
  });

  it('checks clients again periodically and disconnects one whose credentials no longer pass', async () => {
    const logs = await fixture.logFiles();
    let revoked = false;
    const { url } = await fixture.server('node-a', logs, {
      revalidateIntervalMs: 20,
      revalidate: async () => {
        if (revoked) throw new PaasmakerError('E_API_UNAUTHENTICATED', 'The key was revoked.');
      },
    });
    const client = await connect(url);
    revoked = true;
    expect(await client.closed).toEqual({ code: 1008, reason: 'credentials no longer accepted' });
    expect(client.received).toEqual([
      { type: 'error', code: 'E_API_UNAUTHENTICATED', message: 'The key was revoked.' },
    ]);
  });

  it('answers malformed messages with errors, without stacks, and keeps the connection', async () => {
    const logs = await fixture.logFiles();
    const { url } = await fixture.server('node-a', logs);
    const { treeId } = await fixture.tree('node-a', 'node-a');
    const client = await connect(url);
    client.socket.send('not json');
    client.socket.send(Buffer.from([1, 2, 3]), { binary: true });
    client.send([1, 2]);
    client.send({ type: 'log.explode', jobId: randomUUID() });
    client.send({ type: 'log.subscribe' });
    client.send({ type: 'log.subscribe', jobId: randomUUID(), offset: -5 });
    client.send({ type: 'tree.subscribe', treeId: 42 });
    await until(() => client.received.length === 7, 5000, 'seven errors');
    for (const message of client.received) {
      expect(message.type).toBe('error');
      expect(message.type === 'error' && message.code).toBe('E_JOB_STREAM_MESSAGE');
      expect(JSON.stringify(message)).not.toMatch(/\n\s+at |\.ts:\d+/);
    }
    expect(client.received[3]).toMatchObject({ message: expect.stringContaining('log.explode') });
    expect(client.received[5]).toMatchObject({ message: expect.stringContaining('offset') });

    for (const jobId of ['../etc/passwd', 'a/b', '..']) client.send({ type: 'log.subscribe', jobId });
    await until(() => client.received.length === 10, 5000, 'id errors');
    expect(client.received.slice(7)).toEqual([
      expect.objectContaining({ type: 'error', code: 'E_JOB_LOG_ID_INVALID', jobId: '../etc/passwd' }),
      expect.objectContaining({ type: 'error', code: 'E_JOB_LOG_ID_INVALID', jobId: 'a/b' }),
      expect.objectContaining({ type: 'error', code: 'E_JOB_LOG_ID_INVALID', jobId: '..' }),
    ]);

    client.send({ type: 'tree.subscribe', treeId });
    await until(() => client.received.length === 11, 5000, 'snapshot');
    expect(client.received[10]).toMatchObject({ type: 'tree.snapshot', tree: { treeId } });
    expect(client.socket.readyState).toBe(WebSocket.OPEN);
  });

  it('sends log.missing for a job of this node without a log, then its lines', async () => {
    const logs = await fixture.logFiles();
    const { url } = await fixture.server('node-a', logs);
    const { childId } = await fixture.tree('node-a', 'node-a');
    const client = await connect(url);
    client.send({ type: 'log.subscribe', jobId: childId });
    await until(() => client.received.length === 1, 5000, 'log.missing');
    expect(client.received[0]).toEqual({ type: 'log.missing', jobId: childId });

    const { log, close } = logs.openLogger(childId);
    log.info('finally here');
    await close();
    await until(() => client.received.length === 2, 5000, 'lines');
    const expected = await fileText(logs, childId);
    expect(client.received[1]).toEqual({
      type: 'log.lines',
      jobId: childId,
      text: expected,
      offset: Buffer.byteLength(expected),
    });

    client.send({ type: 'log.unsubscribe', jobId: childId });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const more = logs.openLogger(childId);
    more.log.info('not sent');
    await more.close();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(client.received).toHaveLength(2);
  });

  it('sends at most the last 100 KiB on a first subscription without offset, from a line start', async () => {
    const logs = await fixture.logFiles();
    const { url } = await fixture.server('node-a', logs);
    const { childId } = await fixture.tree('node-a', 'node-a');
    const output = logs.appendStream(childId);
    const lines = Array.from({ length: 3000 }, (_, i) => `output line ${i} ${'ö'.repeat(40)}\n`);
    await new Promise<void>((resolve) => output.end(lines.join(''), resolve));
    const whole = await fileText(logs, childId);

    const client = await connect(url);
    client.send({ type: 'log.subscribe', jobId: childId });
    const size = Buffer.byteLength(whole);
    await until(() => {
      const last = client.received.at(-1);
      return last?.type === 'log.lines' && last.offset === size;
    });
    const text = client.received
      .map((message) => (message.type === 'log.lines' ? message.text : ''))
      .join('');
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(100 * 1024);
    expect(Buffer.byteLength(text)).toBeGreaterThan(100 * 1024 - 200);
    expect(text.startsWith('output line ')).toBe(true);
    expect(whole.endsWith(text)).toBe(true);
    expect(client.received.length).toBeGreaterThan(1); // sent in chunks

    // With an offset, exactly from there.
    const offset = size - Buffer.byteLength(lines.slice(-2).join(''));
    client.send({ type: 'log.subscribe', jobId: childId, offset });
    const before = client.received.length;
    await until(() => client.received.length === before + 1);
    expect(client.received.at(-1)).toEqual({
      type: 'log.lines',
      jobId: childId,
      text: lines.slice(-2).join(''),
      offset: size,
    });
  });

  it('serves upgrades of an attached server on its path only and closes cleanly', async () => {
    const logs = await fixture.logFiles();
    const http = createServer((_request, response) => response.end('app'));
    http.on('upgrade', (req, socket) => {
      if (req.url === '/other') socket.end('HTTP/1.1 418 Teapot\r\n\r\n');
    });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    const port = (http.address() as AddressInfo).port;
    const server = new JobStreamServer({ nodeId: 'node-a', logs, store: fixture.store });
    server.attach(http, '/api/stream');
    const { treeId } = await fixture.tree('node-a', 'node-a');

    const client = await connect(`ws://127.0.0.1:${port}/api/stream`);
    client.send({ type: 'tree.subscribe', treeId });
    await until(() => client.received.length === 1);
    expect(client.received[0]).toMatchObject({ type: 'tree.snapshot' });
    expect(await upgradeStatus(`ws://127.0.0.1:${port}/other`, {})).toBe(418);
    const body = await new Promise<string>((resolve) => {
      request(`http://127.0.0.1:${port}/`, (response) => {
        let text = '';
        response.on('data', (chunk) => {
          text += chunk;
        });
        response.on('end', () => resolve(text));
      }).end();
    });
    expect(body).toBe('app');

    const closed = new Promise((resolve) => client.socket.once('close', resolve));
    await server.close();
    await closed;
    expect(http.listenerCount('upgrade')).toBe(1);
    http.closeAllConnections();
    await new Promise((resolve) => http.close(resolve));
  });
});
