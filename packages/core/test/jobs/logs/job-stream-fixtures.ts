import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { patient } from '@paasmaker/test-servers';
import WebSocket, { type WebSocketServer } from 'ws';
import type { JobStore } from '../../../src/jobs/job-store';
import { JobLogFiles } from '../../../src/jobs/logs/job-log-files';
import { JobStreamClient, type JobStreamClientOptions } from '../../../src/jobs/logs/job-stream-client';
import type { JobStreamServerMessage } from '../../../src/jobs/logs/job-stream-protocol';
import { JobStreamServer, type JobStreamServerOptions } from '../../../src/jobs/logs/job-stream-server';
import { createSqlJobStore } from '../../../src/jobs/sql';

/**
 * What the stream tests share: a real SQL job store (SQLite in memory) shared by every "node",
 * temporary log directories, servers on loopback ports and clients, all closed by `cleanup`.
 */
export class StreamFixture {
  readonly store: JobStore = createSqlJobStore();
  private readonly closers: Array<() => Promise<unknown>> = [];

  async init(): Promise<this> {
    await this.store.init();
    return this;
  }

  /** Log files in a directory of their own (one per simulated node). */
  async logFiles(): Promise<JobLogFiles> {
    const directory = await mkdtemp(join(tmpdir(), 'job-stream-'));
    const logs = new JobLogFiles({ directory });
    this.closers.push(async () => {
      await logs.close();
      await rm(directory, { recursive: true, force: true });
    });
    return logs;
  }

  /** A stream server for `nodeId` listening on a loopback port, registered in the store. */
  async server(
    nodeId: string,
    logs: JobLogFiles,
    options: Partial<JobStreamServerOptions> & { port?: number } = {},
  ): Promise<{ server: JobStreamServer; url: string }> {
    const server = new JobStreamServer({ nodeId, logs, store: this.store, ...options });
    this.closers.push(() => server.close());
    const { url } = await server.listen(options.port ?? 0);
    await this.store.registerNode(nodeId, { streamUrl: url });
    return { server, url };
  }

  client(options: JobStreamClientOptions): JobStreamClient {
    const client = new JobStreamClient({ minReconnectDelayMs: 20, maxReconnectDelayMs: 200, ...options });
    this.closers.push(() => client.close());
    return client;
  }

  /** Creates a started tree whose root runs on `rootNode` and one child on `childNode`. */
  async tree(
    rootNode: string,
    childNode: string,
  ): Promise<{ treeId: string; rootId: string; childId: string }> {
    const rootId = randomUUID();
    const childId = randomUUID();
    const job = { type: 'test.job', parameters: {}, title: 'Test job' };
    await this.store.createTree({
      jobs: [
        { ...job, id: rootId, parentId: null, nodeId: rootNode },
        { ...job, id: childId, parentId: rootId, nodeId: childNode },
      ],
      tags: [],
      createdAt: Date.now(),
      start: true,
    });
    return { treeId: rootId, rootId, childId };
  }

  async cleanup(): Promise<void> {
    for (const close of this.closers.splice(0).reverse()) await close();
    await this.store.close();
  }
}

/** The websocket server inside a job stream server, to count or cut its connections. */
export function socketsOf(server: JobStreamServer): WebSocketServer {
  return (server as unknown as { wss: WebSocketServer }).wss;
}

/** Resolves when `condition` holds, polling every 10 ms; fails after `timeoutMs`. */
export async function until(
  condition: () => boolean | Promise<boolean>,
  timeoutMs = patient(30_000),
  what = 'condition',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`${what} not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export async function fileText(logs: JobLogFiles, jobId: string): Promise<string> {
  return readFile(logs.pathOf(jobId), 'utf8');
}

/** A raw websocket client of a job stream: what the server sent, and how the connection closed. */
export interface StreamSocket {
  readonly socket: WebSocket;
  readonly received: JobStreamServerMessage[];
  /** Resolves with the close code and reason once the connection closed. */
  readonly closed: Promise<{ code: number; reason: string }>;
  send(message: unknown): void;
}

/** Opens a raw websocket to a job stream (rejects if the upgrade is refused). */
export async function openStreamSocket(
  url: string,
  headers: Record<string, string> = {},
): Promise<StreamSocket> {
  const socket = new WebSocket(url, { headers });
  const received: JobStreamServerMessage[] = [];
  socket.on('message', (data) => received.push(JSON.parse(data.toString())));
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    socket.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  await new Promise((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  });
  return { socket, received, closed, send: (message) => socket.send(JSON.stringify(message)) };
}
