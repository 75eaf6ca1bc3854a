import type WebSocket from 'ws';
import { requireDriver } from '../../drivers/require-driver';
import { errorCatalogue, PaasmakerError, type PaasmakerErrorCode } from '../../kernel/errors';
import type { JobEvent, TreeRecord } from '../job-store';
import { type FollowLogOptions, JobLogChannel } from './job-log-channel';
import {
  type JobStreamClientMessage,
  type JobStreamErrorMessage,
  parseServerMessage,
} from './job-stream-protocol';

export type { FollowLogOptions } from './job-log-channel';

/** Options of {@link JobStreamClient}. */
export interface JobStreamClientOptions {
  /** The server's job stream URL, e.g. `ws://10.0.0.2:42600/jobs/stream`. */
  url: string;
  /** Sent as `Authorization: Bearer <token>`. */
  token?: string;
  /** First delay before reconnecting (doubles per failed attempt); 100 ms by default. */
  minReconnectDelayMs?: number;
  /** Longest delay between reconnection attempts; 5 s by default. */
  maxReconnectDelayMs?: number;
  /** Called each time the connection is (re)established. */
  onConnect?(): void;
  /**
   * Called when connecting fails or the connection drops (`E_JOB_LOG_UNAVAILABLE`), and for
   * server errors that concern no log or tree. The client keeps reconnecting.
   */
  onError?(error: PaasmakerError): void;
}

/** What to do with a followed tree; see {@link JobStreamClient.followTree}. */
export interface FollowTreeOptions {
  /** The whole tree: first, and again after each reconnection. */
  onSnapshot(tree: TreeRecord): void;
  /** A change in the tree; may repeat what the last snapshot showed. */
  onEvent(event: JobEvent): void;
  /** The tree is unknown, or the server cannot read it; following is over. */
  onError?(error: PaasmakerError): void;
}

/** A followed log. */
export interface LogFollowHandle {
  /** The byte offset just after the last text received (the start offset before that). */
  offset(): number;
  close(): void;
}

/** A followed tree. */
export interface TreeFollowHandle {
  close(): void;
}

/**
 * Follows job logs and job trees on a {@link JobStreamServer} over one websocket. When the
 * connection drops it reconnects with backoff and resubscribes everything, each log from the
 * last offset received, so that no text is lost or repeated; trees get a fresh snapshot.
 */
export class JobStreamClient {
  private socket: WebSocket | undefined;
  private open = false;
  private closed = false;
  private attempts = 0;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private readonly logs = new Map<string, JobLogChannel>();
  private readonly trees = new Map<string, Set<FollowTreeOptions>>();
  /** Logs unsubscribed on the current connection, whose old lines may still arrive. */
  private readonly dropped = new Set<string>();

  private readonly socketClass = requireDriver('ws', 'the job stream client').WebSocket;

  constructor(private readonly options: JobStreamClientOptions) {}

  /** Follows a job's log; see {@link FollowLogOptions}. */
  followLog(jobId: string, options: FollowLogOptions): LogFollowHandle {
    this.assertOpen();
    let channel = this.logs.get(jobId);
    if (!channel) {
      channel = new JobLogChannel(jobId, (message) => this.send(message), this.dropped.has(jobId));
      this.logs.set(jobId, channel);
    }
    const follower = channel.add(options);
    const owner = channel;
    this.connect();
    return {
      offset: () => follower.position ?? options.offset ?? 0,
      close: () => {
        if (this.logs.get(jobId) !== owner || !owner.remove(follower)) return;
        this.logs.delete(jobId);
        if (this.send({ type: 'log.unsubscribe', jobId })) this.dropped.add(jobId);
      },
    };
  }

  /** Follows a job tree: its snapshot, then its events. */
  followTree(treeId: string, options: FollowTreeOptions): TreeFollowHandle {
    this.assertOpen();
    let followers = this.trees.get(treeId);
    if (!followers) {
      followers = new Set();
      this.trees.set(treeId, followers);
    }
    followers.add(options);
    // Also for a tree already followed: the server answers with a snapshot for the newcomer.
    this.send({ type: 'tree.subscribe', treeId });
    this.connect();
    const owner = followers;
    return {
      close: () => {
        if (!owner.delete(options) || owner.size > 0 || this.trees.get(treeId) !== owner) return;
        this.trees.delete(treeId);
        this.send({ type: 'tree.unsubscribe', treeId });
      },
    };
  }

  /** Closes the connection and stops reconnecting; follows end. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.reconnectTimer);
    this.logs.clear();
    this.trees.clear();
    const socket = this.socket;
    this.socket = undefined;
    if (!socket || socket.readyState === socket.CLOSED) return;
    await new Promise<void>((resolve) => {
      socket.once('close', () => resolve());
      if (socket.readyState === socket.CONNECTING) socket.terminate();
      else socket.close();
      setTimeout(() => socket.terminate(), 1000).unref();
    });
  }

  private assertOpen(): void {
    if (this.closed) {
      throw new PaasmakerError(
        'E_JOB_LOG_UNAVAILABLE',
        `The job stream client of ${this.options.url} was closed.`,
      );
    }
  }

  private connect(): void {
    if (this.socket || this.closed || this.reconnectTimer) return;
    const headers: Record<string, string> = {};
    if (this.options.token !== undefined) headers.authorization = `Bearer ${this.options.token}`;
    const socket = new this.socketClass(this.options.url, { headers, handshakeTimeout: 10_000 });
    this.socket = socket;
    socket.on('open', () => this.connected(socket));
    socket.on('message', (data, isBinary) => {
      if (!isBinary) this.receive(data.toString());
    });
    socket.on('error', (error) => {
      if (this.closed) return;
      this.options.onError?.(
        new PaasmakerError(
          'E_JOB_LOG_UNAVAILABLE',
          `Cannot reach the job stream at ${this.options.url}: ${error.message}`,
          {
            cause: error,
          },
        ),
      );
    });
    socket.on('close', () => this.disconnected(socket));
  }

  private connected(socket: WebSocket): void {
    if (socket !== this.socket) return;
    this.open = true;
    this.attempts = 0;
    this.dropped.clear();
    for (const channel of this.logs.values()) channel.connected();
    for (const treeId of this.trees.keys()) this.send({ type: 'tree.subscribe', treeId });
    this.options.onConnect?.();
  }

  private disconnected(socket: WebSocket): void {
    if (socket !== this.socket) return;
    this.socket = undefined;
    this.open = false;
    if (this.closed) return;
    const min = this.options.minReconnectDelayMs ?? 100;
    const delay = Math.min(this.options.maxReconnectDelayMs ?? 5000, min * 2 ** this.attempts);
    this.attempts++;
    this.reconnectTimer = setTimeout(
      () => {
        this.reconnectTimer = undefined;
        this.connect();
      },
      delay * (0.75 + Math.random() * 0.5),
    );
  }

  private send(message: JobStreamClientMessage): boolean {
    if (!this.open || !this.socket) return false;
    this.socket.send(JSON.stringify(message));
    return true;
  }

  private receive(data: string): void {
    const message = parseServerMessage(data);
    switch (message?.type) {
      case 'log.lines':
        this.logs.get(message.jobId)?.lines(message.text, message.offset);
        break;
      case 'log.missing':
        this.logs.get(message.jobId)?.missing();
        break;
      case 'tree.snapshot':
        for (const follower of this.trees.get(message.tree.treeId) ?? []) follower.onSnapshot(message.tree);
        break;
      case 'tree.event':
        for (const follower of this.trees.get(message.event.treeId) ?? []) follower.onEvent(message.event);
        break;
      case 'error':
        this.receiveError(message);
        break;
    }
  }

  private receiveError(message: JobStreamErrorMessage): void {
    const error = toPaasmakerError(message);
    const channel = message.jobId === undefined ? undefined : this.logs.get(message.jobId);
    const followers = message.treeId === undefined ? undefined : this.trees.get(message.treeId);
    if (channel && message.jobId !== undefined) {
      this.logs.delete(message.jobId);
      channel.fail(error);
    } else if (followers && message.treeId !== undefined) {
      this.trees.delete(message.treeId);
      for (const follower of followers) follower.onError?.(error);
    } else {
      this.options.onError?.(error);
    }
  }
}

/** Errors from the server as `PaasmakerError`s; a code this version does not know is kept in the message. */
function toPaasmakerError(message: JobStreamErrorMessage): PaasmakerError {
  if (message.code in errorCatalogue)
    return new PaasmakerError(message.code as PaasmakerErrorCode, message.message);
  return new PaasmakerError('E_JOB_LOG_UNAVAILABLE', `${message.code}: ${message.message}`);
}
