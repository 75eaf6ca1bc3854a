import { appendFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { eventually } from '@paasmaker/test-servers';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { REDACTED, SecretMasker } from '../../../src/jobs/logs/secret-masker';
import type { HeartInstance } from '../../../src/roles/heart/heart-types';
import { followInstanceLog } from '../../../src/roles/heart/instance-log-follow';
import { instanceLogRequestHandler } from '../../../src/roles/heart/instance-log-http';
import { followRemoteInstanceLog } from '../../../src/roles/pacemaker/deploy/remote-instance-log';

const TOKEN = 'super-token-0123456789abcdef0123456789';
const INSTANCE = '0b5f9a3e-1c2d-4e5f-8a9b-0c1d2e3f4a5b';

/** A follow's NDJSON lines as they arrive, and whether the stream has ended. */
function collect(stream: Readable): { lines: { text: string; next: number }[]; ended: Promise<void> } {
  const lines: { text: string; next: number }[] = [];
  let pending = '';
  stream.setEncoding('utf8');
  stream.on('data', (data: string) => {
    pending += data;
    const parts = pending.split('\n');
    pending = parts.pop() ?? '';
    for (const part of parts) lines.push(JSON.parse(part));
  });
  const ended = new Promise<void>((resolve, reject) => {
    stream.on('end', resolve);
    stream.on('error', reject);
  });
  return { lines, ended };
}

describe("following an instance's log on the heart node that runs it", () => {
  let folder: string;
  let file: string;
  let server: Server;
  let node: { name: string; route: string; apiPort: number };
  /** The instances the heart runs, by id: their log files. */
  const running = new Map<string, { logFile: string }>();
  let abort: AbortController;

  beforeEach(async () => {
    abort = new AbortController();
    folder = await mkdtemp(path.join(tmpdir(), 'pm-instance-follow-'));
    file = path.join(folder, 'instance.log');
    await writeFile(file, 'started\n');
    running.set(INSTANCE, { logFile: file });
    const handle = instanceLogRequestHandler(
      { instance: (id) => running.get(id) as HeartInstance | undefined },
      new SecretMasker([TOKEN]),
    );
    server = createServer((request, response) => {
      if (!handle(request, response)) response.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    node = { name: 'heart-1', route: '127.0.0.1', apiPort: (server.address() as AddressInfo).port };
  });
  afterEach(async () => {
    abort.abort();
    running.clear();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await rm(folder, { recursive: true, force: true });
  });

  it('streams what the app writes after the follow started, masked, then ends once the instance is gone', async () => {
    const follow = collect(await followRemoteInstanceLog(node, INSTANCE, 0, undefined, abort.signal));
    await eventually(() => expect(follow.lines.map((line) => line.text).join('')).toBe('started\n'));
    await appendFile(file, `later, with ${TOKEN}\n`);
    await eventually(() =>
      expect(follow.lines.map((line) => line.text).join('')).toBe(`started\nlater, with ${REDACTED}\n`),
    );
    expect(follow.lines.at(-1)?.next).toBe(Buffer.byteLength(`started\nlater, with ${TOKEN}\n`));
    await appendFile(file, 'the last words\n');
    running.delete(INSTANCE);
    await follow.ended;
    expect(follow.lines.map((line) => line.text).join('')).toBe(
      `started\nlater, with ${REDACTED}\nthe last words\n`,
    );
  });

  it('resumes from an offset, and ends the follow on the node when the follower leaves', async () => {
    const leave = new AbortController();
    const follow = collect(
      await followRemoteInstanceLog(node, INSTANCE, 'start'.length, undefined, leave.signal),
    );
    await eventually(() => expect(follow.lines.map((line) => line.text).join('')).toBe('ed\n'));
    leave.abort();
    await expect(follow.ended).rejects.toThrow();
    await eventually(async () =>
      expect(await new Promise((resolve) => server.getConnections((_, count) => resolve(count)))).toBe(0),
    );
  });

  it('yields an empty piece while the log is quiet, so the connection does not look dead', async () => {
    const pieces = followInstanceLog(file, 0, SecretMasker.NONE, {
      signal: abort.signal,
      running: () => true,
      keepAliveMs: 1,
    });
    expect((await pieces.next()).value).toEqual({ text: 'started\n', next: 8 });
    expect((await pieces.next()).value).toEqual({ text: '', next: 8 });
    abort.abort();
    expect((await pieces.next()).done).toBe(true);
  });

  it('refuses an instance the node does not run', async () => {
    await expect(
      followRemoteInstanceLog(node, '1b5f9a3e-1c2d-4e5f-8a9b-0c1d2e3f4a5b', 0, undefined, abort.signal),
    ).rejects.toMatchObject({ code: 'E_INSTANCE_NOT_FOUND' });
  });
});
