import type { Logger } from 'pino';
import type WebSocket from 'ws';
import { isPaasmakerError, type PaasmakerErrorCode } from '../../kernel/errors';
import type { JobEvent, JobStore } from '../job-store';
import type { JobLogFiles } from './job-log-files';
import type { JobLogRelays } from './job-log-relays';
import type { JobLogFollow, JobLogSink } from './job-log-sink';
import {
  type JobStreamClientMessage,
  type JobStreamErrorMessage,
  type JobStreamServerMessage,
  malformed,
  parseClientMessage,
} from './job-stream-protocol';
import type { JobTreeEventFanout } from './job-tree-event-fanout';
import { LocalJobLogFollower } from './local-job-log-follower';

/** What a connection needs from its server. */
export interface JobStreamContext {
  nodeId: string;
  logs: JobLogFiles;
  store: Pick<JobStore, 'getJob' | 'getTree'>;
  relays: JobLogRelays;
  trees: JobTreeEventFanout;
  log: Logger;
  /** Whether this client may follow a job (or the tree it is the root of); any job when absent. */
  mayFollow?: (jobId: string) => Promise<boolean>;
  /**
   * Checks that this client's credentials still let it use the stream; rejects with
   * `E_API_UNAUTHENTICATED` or `E_API_FORBIDDEN` when they no longer do. Always passes when absent.
   */
  revalidate?: () => Promise<void>;
}

/** The websocket close code of a client whose credentials no longer let it use the stream (policy violation). */
export const CREDENTIALS_REVOKED_CLOSE_CODE = 1008;

/**
 * One client of a job stream server: its log and tree subscriptions. Messages are handled one
 * after the other, so that a subscription and its cancellation cannot overtake each other.
 */
export class JobStreamConnection {
  private readonly follows = new Map<string, JobLogFollow>();
  /** The sink of each job's current subscription; sinks of ended ones send nothing. */
  private readonly sinks = new Map<string, JobLogSink>();
  private readonly trees = new Map<string, () => void>();
  private queue: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(
    private readonly socket: WebSocket,
    private readonly context: JobStreamContext,
  ) {
    socket.on('message', (data, isBinary) => {
      const message = isBinary
        ? malformed('binary messages are not accepted; send JSON text')
        : parseClientMessage(Array.isArray(data) ? Buffer.concat(data).toString() : data.toString());
      this.queue = this.queue.then(() => this.handle(message));
    });
    socket.on('error', (error) => this.context.log.debug({ err: error }, 'Job stream connection error.'));
    socket.on('close', () => this.close());
  }

  /** Ends every subscription and the connection: at once, or with a close frame carrying `code`. */
  close(code?: number, reason?: string): void {
    if (this.closed) return;
    this.closed = true;
    for (const follow of this.follows.values()) follow.close();
    this.follows.clear();
    this.sinks.clear();
    for (const stop of [...this.trees.values()]) stop();
    if (code === undefined) this.socket.terminate();
    else this.socket.close(code, reason);
  }

  /**
   * Checks the client's credentials again, in turn with its messages: disconnects it when they
   * no longer let it use the stream, and ends each subscription it may no longer follow
   * (`E_API_FORBIDDEN`). A check that cannot be made (a database away) keeps everything.
   */
  revalidate(): Promise<void> {
    this.queue = this.queue.then(async () => {
      try {
        await this.recheckSubscriptions();
      } catch (error) {
        this.context.log.warn({ err: error }, 'Job stream credentials could not be checked again.');
      }
    });
    return this.queue;
  }

  private async recheckSubscriptions(): Promise<void> {
    if (this.closed || !(await this.stillAllowed())) return;
    const { mayFollow } = this.context;
    if (!mayFollow) return;
    for (const jobId of [...this.sinks.keys()]) {
      if (this.closed || (await mayFollow(jobId))) continue;
      this.stopLog(jobId);
      await this.sendError('E_API_FORBIDDEN', `You may no longer follow job ${jobId}.`, { jobId });
    }
    for (const treeId of [...this.trees.keys()]) {
      if (this.closed || (await mayFollow(treeId))) continue;
      this.trees.get(treeId)?.();
      await this.sendError('E_API_FORBIDDEN', `You may no longer follow job ${treeId}.`, { treeId });
    }
  }

  /**
   * True while the client's credentials let it use the stream; otherwise it is sent the reason
   * and disconnected (close code {@link CREDENTIALS_REVOKED_CLOSE_CODE}), and this is false.
   */
  private async stillAllowed(): Promise<boolean> {
    if (!this.context.revalidate) return true;
    try {
      await this.context.revalidate();
      return true;
    } catch (error) {
      if (!isPaasmakerError(error, 'E_API_UNAUTHENTICATED') && !isPaasmakerError(error, 'E_API_FORBIDDEN'))
        throw error;
      await this.sendError(error.code, error.message, {});
      this.close(CREDENTIALS_REVOKED_CLOSE_CODE, 'credentials no longer accepted');
      return false;
    }
  }

  private async handle(message: JobStreamClientMessage | JobStreamErrorMessage): Promise<void> {
    if (this.closed) return;
    try {
      switch (message.type) {
        case 'error':
          await this.send(message);
          break;
        case 'log.subscribe':
          if (!(await this.stillAllowed())) break;
          if (await this.refused(message.jobId, { jobId: message.jobId })) break;
          await this.subscribeLog(message.jobId, message.offset);
          break;
        case 'log.unsubscribe':
          this.stopLog(message.jobId);
          break;
        case 'tree.subscribe':
          if (!(await this.stillAllowed())) break;
          if (await this.refused(message.treeId, { treeId: message.treeId })) break;
          await this.subscribeTree(message.treeId);
          break;
        case 'tree.unsubscribe':
          this.trees.get(message.treeId)?.();
          break;
      }
    } catch (error) {
      const ids =
        'jobId' in message ? { jobId: message.jobId } : 'treeId' in message ? { treeId: message.treeId } : {};
      if (!isPaasmakerError(error))
        this.context.log.error({ err: error, ...ids }, 'Job stream request failed.');
      await this.sendError(
        isPaasmakerError(error) ? error.code : 'E_JOBS_UNAVAILABLE',
        isPaasmakerError(error) ? error.message : `Cannot handle ${message.type}; the server logged why.`,
        ids,
      );
    }
  }

  /** Answers `E_API_FORBIDDEN` and returns true when this client may not follow the job. */
  private async refused(jobId: string, ids: { jobId?: string; treeId?: string }): Promise<boolean> {
    if (!this.context.mayFollow || (await this.context.mayFollow(jobId))) return false;
    await this.sendError('E_API_FORBIDDEN', `You may not follow job ${jobId}.`, ids);
    return true;
  }

  private stopLog(jobId: string): void {
    this.follows.get(jobId)?.close();
    this.follows.delete(jobId);
    this.sinks.delete(jobId);
  }

  private async subscribeLog(jobId: string, offset: number | undefined): Promise<void> {
    this.stopLog(jobId);
    const { logs, store, nodeId, relays } = this.context;
    const sink = this.sink(jobId);
    if (await logs.has(jobId)) return this.followLocal(jobId, offset, sink);
    const job = await store.getJob(jobId);
    if (!job) return this.sendError('E_JOB_NOT_FOUND', `No job has the id ${jobId}.`, { jobId });
    if (job.nodeId === nodeId) return this.followLocal(jobId, offset, sink);
    const follow = await relays.follow(job.nodeId, jobId, offset, sink);
    if (this.isCurrent(jobId, sink)) this.follows.set(jobId, follow);
    else follow.close();
  }

  private async followLocal(jobId: string, offset: number | undefined, sink: JobLogSink): Promise<void> {
    const follower = new LocalJobLogFollower(this.context.logs, jobId, offset, sink, this.context.log);
    this.follows.set(jobId, follower);
    await follower.start();
  }

  /** Sends to the client for as long as this is the job's current subscription. */
  private sink(jobId: string): JobLogSink {
    const sink: JobLogSink = {
      lines: (text, offset) =>
        this.isCurrent(jobId, sink)
          ? this.send({ type: 'log.lines', jobId, text, offset })
          : Promise.resolve(),
      missing: () => {
        if (this.isCurrent(jobId, sink)) void this.send({ type: 'log.missing', jobId });
      },
      error: (code, message) => {
        if (!this.isCurrent(jobId, sink)) return;
        this.stopLog(jobId);
        void this.sendError(code, message, { jobId });
      },
    };
    this.sinks.set(jobId, sink);
    return sink;
  }

  private isCurrent(jobId: string, sink: JobLogSink): boolean {
    return !this.closed && this.sinks.get(jobId) === sink;
  }

  private async subscribeTree(treeId: string): Promise<void> {
    if (this.trees.has(treeId)) {
      if (!(await this.sendSnapshot(treeId))) this.trees.get(treeId)?.();
      return;
    }
    // Events are held back until the snapshot is sent; they may repeat what it shows.
    let held: JobEvent[] | undefined = [];
    const stop = await this.context.trees.listen(treeId, (event) => {
      if (held) held.push(event);
      else void this.send({ type: 'tree.event', event });
    });
    const stopTree = () => {
      stop();
      this.trees.delete(treeId);
    };
    this.trees.set(treeId, stopTree);
    try {
      if (!(await this.sendSnapshot(treeId))) return stopTree();
      while (held.length > 0 && this.trees.get(treeId) === stopTree) {
        const events: JobEvent[] = held;
        held = [];
        for (const event of events) await this.send({ type: 'tree.event', event });
      }
      held = undefined;
    } catch (error) {
      stopTree();
      throw error;
    }
  }

  /** Sends the tree's snapshot, or `E_JOB_NOT_FOUND`; false when the tree does not exist. */
  private async sendSnapshot(treeId: string): Promise<boolean> {
    const tree = await this.context.store.getTree(treeId);
    if (tree) await this.send({ type: 'tree.snapshot', tree });
    else await this.sendError('E_JOB_NOT_FOUND', `No job tree has the id ${treeId}.`, { treeId });
    return tree !== undefined;
  }

  private sendError(
    code: PaasmakerErrorCode,
    message: string,
    ids: { jobId?: string; treeId?: string },
  ): Promise<void> {
    return this.send({ type: 'error', code, message, ...ids });
  }

  /** Sends a message; resolves once it is handed to the socket (never rejects). */
  private send(message: JobStreamServerMessage): Promise<void> {
    if (this.closed || this.socket.readyState !== this.socket.OPEN) return Promise.resolve();
    return new Promise((resolve) => {
      this.socket.send(JSON.stringify(message), (error) => {
        if (error) this.close();
        resolve();
      });
    });
  }
}
