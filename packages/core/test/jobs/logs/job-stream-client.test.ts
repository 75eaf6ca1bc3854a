import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import type { JobEvent, TreeRecord } from '../../../src/jobs/job-store';
import type { JobLogFiles } from '../../../src/jobs/logs/job-log-files';
import type { PaasmakerError } from '../../../src/kernel/errors';
import { fileText, StreamFixture, socketsOf, until } from './job-stream-fixtures';

let fixture: StreamFixture;

beforeEach(async () => {
  fixture = await new StreamFixture().init();
});

afterEach(async () => {
  await fixture.cleanup();
});

/** Writes `count` numbered lines (some with multi-byte characters) through a job logger, with small pauses. */
async function writeLines(logs: JobLogFiles, jobId: string, count: number, from = 0): Promise<void> {
  const { log, close } = logs.openLogger(jobId);
  for (let i = from; i < from + count; i++) {
    log.info({ i }, `line ${i} ${i % 7 === 0 ? 'größer – 日本語 🚀' : 'plain'}`);
    if (i % 5 === 0) await sleep(2);
  }
  await close();
}

describe('JobStreamClient', () => {
  it('receives exactly the file content while a logger writes 500 lines', async () => {
    const logs = await fixture.logFiles();
    const { url } = await fixture.server('node-a', logs);
    const { childId } = await fixture.tree('node-a', 'node-a');
    let text = '';
    let last = 0;
    const follow = fixture.client({ url }).followLog(childId, {
      offset: 0,
      onLines: (lines, offset) => {
        text += lines;
        last = offset;
      },
    });
    await writeLines(logs, childId, 500);
    const expected = await fileText(logs, childId);
    await until(() => text.length >= expected.length, 5000, 'all lines');
    expect(text).toBe(expected);
    expect(last).toBe(Buffer.byteLength(expected));
    expect(follow.offset()).toBe(last);
    expect(text.split('\n')).toHaveLength(501);
  });

  it('resumes from its last offset after the server cuts the connection, losing and repeating nothing', async () => {
    const logs = await fixture.logFiles();
    const { server, url } = await fixture.server('node-a', logs);
    const { childId } = await fixture.tree('node-a', 'node-a');
    let text = '';
    let connects = 0;
    // Every subscription the client sends, with how much it had received at that moment.
    const subscriptions: Array<{ offset: unknown; received: number }> = [];
    const original = WebSocket.prototype.send;
    const spy = vi.spyOn(WebSocket.prototype, 'send').mockImplementation(function (this: WebSocket, ...args) {
      const message = JSON.parse(String(args[0]));
      if (message.type === 'log.subscribe') {
        subscriptions.push({ offset: message.offset, received: Buffer.byteLength(text) });
      }
      return original.apply(this, args);
    });
    fixture.client({ url, onConnect: () => connects++ }).followLog(childId, {
      offset: 0,
      onLines: (lines) => {
        text += lines;
      },
    });
    const writing = writeLines(logs, childId, 600);
    await until(() => text.length > 5000, 5000, 'first lines');
    for (const socket of socketsOf(server).clients) socket.terminate();
    await until(() => connects >= 2, 5000, 'reconnection');
    await sleep(30);
    for (const socket of socketsOf(server).clients) socket.terminate();
    await writing;
    const expected = await fileText(logs, childId);
    await until(() => text.length >= expected.length, 5000, 'all lines');
    spy.mockRestore();
    expect(connects).toBeGreaterThanOrEqual(3);
    expect(text).toBe(expected);
    // It resubscribed from exactly what it had, so the server sent nothing twice.
    expect(subscriptions.length).toBe(connects);
    expect(subscriptions[0]).toEqual({ offset: 0, received: 0 });
    for (const subscription of subscriptions.slice(1)) {
      expect(subscription.received).toBeGreaterThan(0);
      expect(subscription.offset).toBe(subscription.received);
    }
  });

  it('resumes after the server stops and restarts on the same port', async () => {
    const logs = await fixture.logFiles();
    const first = await fixture.server('node-a', logs);
    const port = Number(new URL(first.url).port);
    const { childId } = await fixture.tree('node-a', 'node-a');
    let text = '';
    const errors: PaasmakerError[] = [];
    fixture.client({ url: first.url, onError: (error) => errors.push(error) }).followLog(childId, {
      offset: 0,
      onLines: (lines) => {
        text += lines;
      },
    });
    await writeLines(logs, childId, 100);
    await until(async () => text === (await fileText(logs, childId)), 5000, 'first lines');

    await first.server.close();
    await writeLines(logs, childId, 200, 100); // written while no server runs
    await sleep(100); // the client fails to reconnect at least once
    await fixture.server('node-a', logs, { port });
    await writeLines(logs, childId, 100, 300);
    const expected = await fileText(logs, childId);
    await until(() => text.length >= expected.length, 5000, 'all lines');
    expect(text).toBe(expected);
    expect(errors.length).toBeGreaterThan(0);
    expect(errors[0]?.code).toBe('E_JOB_LOG_UNAVAILABLE');
  });

  it('gives two followers of one log on one connection each byte exactly once', async () => {
    const logs = await fixture.logFiles();
    const { url } = await fixture.server('node-a', logs);
    const { childId } = await fixture.tree('node-a', 'node-a');
    const client = fixture.client({ url });
    let early = '';
    let late = '';
    client.followLog(childId, {
      offset: 0,
      onLines: (lines) => {
        early += lines;
      },
    });
    const writing = writeLines(logs, childId, 400);
    await until(() => early.length > 4000, 5000, 'first lines');
    // Joins from the start while the first follower is ahead: the subscription restarts.
    const lateFollow = client.followLog(childId, {
      offset: 0,
      onLines: (lines) => {
        late += lines;
      },
    });
    await writing;
    const expected = await fileText(logs, childId);
    await until(() => early.length >= expected.length && late.length >= expected.length, 5000, 'both');
    expect(early).toBe(expected);
    expect(late).toBe(expected);
    expect(lateFollow.offset()).toBe(Buffer.byteLength(expected));
  });

  it('follows a tree: snapshot first, then its events', async () => {
    const logs = await fixture.logFiles();
    const { url } = await fixture.server('node-a', logs);
    const { treeId, childId } = await fixture.tree('node-a', 'node-a');
    const snapshots: TreeRecord[] = [];
    const events: JobEvent[] = [];
    const client = fixture.client({ url });
    client.followTree(treeId, {
      onSnapshot: (tree) => snapshots.push(tree),
      onEvent: (event) => {
        expect(snapshots).toHaveLength(1); // never an event before the snapshot
        events.push(event);
      },
    });
    await until(() => snapshots.length === 1, 5000, 'snapshot');
    expect(snapshots[0]?.jobs.map((job) => job.id)).toEqual([treeId, childId]);
    expect(snapshots[0]?.jobs[1]?.state).toBe('WAITING');

    const other = await fixture.tree('node-a', 'node-a'); // events of other trees are not sent
    await fixture.store.claim(childId, 'node-a', Date.now());
    await fixture.store.succeed(childId, { summary: 'done' }, Date.now());
    await until(() => events.some((event) => event.kind === 'ready'), 5000, 'events');
    expect(events.every((event) => event.treeId === treeId)).toBe(true);
    expect(
      events.filter((event) => event.kind === 'state').map((event) => 'state' in event && event.state),
    ).toEqual(['RUNNING', 'SUCCESS']);
    expect(events.some((event) => event.treeId === other.treeId)).toBe(false);

    let failure: PaasmakerError | undefined;
    client.followTree('3b8f0c9e-7d5a-4f41-9a57-2b1c2c1d0e0f', {
      onSnapshot: () => undefined,
      onEvent: () => undefined,
      onError: (error) => {
        failure = error;
      },
    });
    await until(() => failure !== undefined, 5000, 'unknown tree error');
    expect(failure?.code).toBe('E_JOB_NOT_FOUND');
  });
});

describe('relaying logs of other nodes', () => {
  it('streams a log that exists only on node B to a client of node A', async () => {
    const logsA = await fixture.logFiles();
    const logsB = await fixture.logFiles();
    const a = await fixture.server('node-a', logsA, { token: 'cluster-secret' });
    const b = await fixture.server('node-b', logsB, { token: 'cluster-secret' });
    const { childId } = await fixture.tree('node-a', 'node-b');

    let first = '';
    let second = '';
    let missing = 0;
    const client = fixture.client({ url: a.url, token: 'cluster-secret' });
    client.followLog(childId, {
      onMissing: () => missing++,
      onLines: (lines) => {
        first += lines;
      },
    });
    const other = fixture.client({ url: a.url, token: 'cluster-secret' });
    const secondFollow = other.followLog(childId, {
      offset: 0,
      onLines: (lines) => {
        second += lines;
      },
    });
    await until(() => missing >= 1, 5000, 'log.missing through the relay');

    await writeLines(logsB, childId, 300);
    const expected = await fileText(logsB, childId);
    await until(() => first.length >= expected.length && second.length >= expected.length, 5000, 'relayed');
    expect(first).toBe(expected);
    expect(second).toBe(expected);
    expect(await logsA.has(childId)).toBe(false);
    // Both followers share node A's one connection to node B.
    expect(socketsOf(b.server).clients.size).toBe(1);

    secondFollow.close();
    await client.close();
    await until(() => socketsOf(b.server).clients.size === 0, 5000, 'relay closed after the last follower');
  });

  it('reports E_JOB_NOT_FOUND for unknown jobs and E_JOB_LOG_UNAVAILABLE for unreachable nodes', async () => {
    const logs = await fixture.logFiles();
    const { url } = await fixture.server('node-a', logs);
    const onB = await fixture.tree('node-a', 'node-b');
    const onC = await fixture.tree('node-a', 'node-c');
    await fixture.store.registerNode('node-b', { streamUrl: 'ws://127.0.0.1:1/jobs/stream' });
    await fixture.store.registerNode('node-c', {});
    const client = fixture.client({ url });
    const errors = new Map<string, PaasmakerError>();
    const ids = ['8d1f1c4e-2a6b-4e0e-b7a4-0f0c9a4f1b2d', onB.childId, onC.childId];
    for (const jobId of ids) {
      client.followLog(jobId, {
        onLines: () => undefined,
        onError: (error) => void errors.set(jobId, error),
      });
    }
    await until(() => errors.size === 3, 5000, 'three errors');
    expect(errors.get(ids[0] as string)?.code).toBe('E_JOB_NOT_FOUND');
    expect(errors.get(onB.childId)?.code).toBe('E_JOB_LOG_UNAVAILABLE');
    expect(errors.get(onB.childId)?.message).toContain('node-b');
    expect(errors.get(onC.childId)?.code).toBe('E_JOB_LOG_UNAVAILABLE');
    expect(errors.get(onC.childId)?.message).toContain('node-c');
  });
});
