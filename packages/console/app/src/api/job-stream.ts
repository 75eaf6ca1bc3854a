import type {
  JobStreamClientMessage,
  JobStreamServerMessage,
  TreeEventMessage,
  TreeRecord,
} from '@paasmaker/core';

/** What a tree subscriber receives. */
export type TreeUpdate =
  | { kind: 'snapshot'; tree: TreeRecord }
  | { kind: 'event'; event: TreeEventMessage['event'] }
  | { kind: 'error'; message: string };

/** Whether the stream is connected; subscribers are resumed after each reconnection. */
export type StreamState = 'connecting' | 'live' | 'reconnecting';

interface LogFollower {
  offset: number | undefined;
  onText(text: string): void;
  onMissing(): void;
}

const RETRY_MS = [500, 1000, 2000, 5000];

/**
 * The job stream websocket (the API's own, authenticated by the session cookie), shared by every
 * page. After a dropped connection it connects again and re-subscribes: trees get a new
 * snapshot, logs continue from the byte offset they had reached, so no line is lost or repeated.
 */
export class BrowserJobStream {
  readonly #trees = new Map<string, Set<(update: TreeUpdate) => void>>();
  readonly #logs = new Map<string, LogFollower>();
  readonly #stateListeners = new Set<(state: StreamState) => void>();
  #socket: WebSocket | undefined;
  #state: StreamState = 'connecting';
  #attempt = 0;
  #closed = false;

  constructor(private readonly url: string) {
    this.#connect();
  }

  get state(): StreamState {
    return this.#state;
  }

  onState(listener: (state: StreamState) => void): () => void {
    this.#stateListeners.add(listener);
    return () => this.#stateListeners.delete(listener);
  }

  /** Follows a tree: a snapshot, then its events; again a snapshot after each reconnection. */
  followTree(treeId: string, listener: (update: TreeUpdate) => void): () => void {
    const listeners = this.#trees.get(treeId) ?? new Set();
    this.#trees.set(treeId, listeners);
    listeners.add(listener);
    this.#send({ type: 'tree.subscribe', treeId });
    return () => {
      listeners.delete(listener);
      if (listeners.size > 0) return;
      this.#trees.delete(treeId);
      this.#send({ type: 'tree.unsubscribe', treeId });
    };
  }

  /** Asks for a tree's snapshot again (after jobs were grafted onto it). */
  refreshTree(treeId: string): void {
    this.#send({ type: 'tree.subscribe', treeId });
  }

  /** Follows a job's log from its start (or the last 100 KiB); `onText` gets each new part. */
  followLog(
    jobId: string,
    onText: (text: string) => void,
    onMissing: () => void = () => undefined,
  ): () => void {
    this.#logs.set(jobId, { offset: 0, onText, onMissing });
    this.#send({ type: 'log.subscribe', jobId, offset: 0 });
    return () => {
      this.#logs.delete(jobId);
      this.#send({ type: 'log.unsubscribe', jobId });
    };
  }

  /** Drops the connection as a network would (tests and the "reconnect" check use it). */
  dropConnection(): void {
    this.#socket?.close();
  }

  close(): void {
    this.#closed = true;
    this.#socket?.close();
  }

  #setState(state: StreamState): void {
    this.#state = state;
    for (const listener of this.#stateListeners) listener(state);
  }

  #send(message: JobStreamClientMessage): void {
    if (this.#socket?.readyState === WebSocket.OPEN) this.#socket.send(JSON.stringify(message));
  }

  #connect(): void {
    const socket = new WebSocket(this.url);
    this.#socket = socket;
    socket.onopen = () => {
      this.#attempt = 0;
      this.#setState('live');
      for (const treeId of this.#trees.keys()) this.#send({ type: 'tree.subscribe', treeId });
      for (const [jobId, follower] of this.#logs)
        this.#send({
          type: 'log.subscribe',
          jobId,
          ...(follower.offset === undefined ? {} : { offset: follower.offset }),
        });
    };
    socket.onmessage = (event) => this.#receive(JSON.parse(String(event.data)) as JobStreamServerMessage);
    socket.onclose = () => {
      if (this.#closed) return;
      this.#setState('reconnecting');
      const delay = RETRY_MS[Math.min(this.#attempt, RETRY_MS.length - 1)];
      this.#attempt += 1;
      setTimeout(() => this.#connect(), delay);
    };
  }

  #receive(message: JobStreamServerMessage): void {
    switch (message.type) {
      case 'tree.snapshot':
        for (const listener of this.#trees.get(message.tree.treeId) ?? [])
          listener({ kind: 'snapshot', tree: message.tree });
        return;
      case 'tree.event':
        for (const listener of this.#trees.get(message.event.treeId) ?? [])
          listener({ kind: 'event', event: message.event });
        return;
      case 'log.lines': {
        const follower = this.#logs.get(message.jobId);
        if (!follower) return;
        follower.offset = message.offset;
        follower.onText(message.text);
        return;
      }
      case 'log.missing':
        this.#logs.get(message.jobId)?.onMissing();
        return;
      case 'error':
        if (message.treeId)
          for (const listener of this.#trees.get(message.treeId) ?? [])
            listener({ kind: 'error', message: message.message });
        return;
    }
  }
}

let current: BrowserJobStream | undefined;

/** The page's job stream (opened on first use, once logged in), on the API's path on this origin. */
export function jobStream(): BrowserJobStream {
  current ??= new BrowserJobStream(
    `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api/v1/jobs/stream`,
  );
  return current;
}

/** Closes the page's job stream (at logout). */
export function closeJobStream(): void {
  current?.close();
  current = undefined;
}
