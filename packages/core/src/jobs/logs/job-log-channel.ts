import type { PaasmakerError } from '../../kernel/errors';
import type { LogSubscribeMessage } from './job-stream-protocol';

/** What to do with a followed log; see {@link JobStreamClient.followLog}. */
export interface FollowLogOptions {
  /** Byte offset to start from; absent: the last 100 KiB (a subscriber joining a followed log: from now). */
  offset?: number;
  /** The next part of the log; `offset` is the byte offset just after `text`. */
  onLines(text: string, offset: number): void;
  /** The log does not exist yet; lines follow when it appears. */
  onMissing?(): void;
  /** Following failed for good (unknown job, unreachable node...). */
  onError?(error: PaasmakerError): void;
}

/** One follower of a log and the byte offset up to which it has received it. */
export interface LogFollower {
  readonly options: FollowLogOptions;
  position: number | undefined;
}

/**
 * A client's single server subscription to one job's log, shared by every follower of that
 * log. Each follower keeps its own position, so the subscription can be restarted from an
 * earlier offset (for a follower that needs older lines, or after reconnecting from the
 * earliest position) and every follower still gets each byte exactly once.
 *
 * A chunk's start is where the previous one ended. Only after restarting on the same connection
 * is that ambiguous (chunks of the old subscription may still be on their way); there a chunk
 * belongs to the new subscription when its UTF-8 length puts its start at the restart offset.
 */
export class JobLogChannel {
  private readonly followers = new Set<LogFollower>();
  /** Offset the current subscription started at (undefined: the server chose the tail). */
  private requestedFrom: number | undefined;
  /** End of the last chunk of the current subscription. */
  private streamEnd: number | undefined;
  /** Set while chunks of an earlier subscription on this connection may still arrive. */
  private previous: { end: number | undefined } | undefined;

  /**
   * @param send sends a subscription; returns false when not connected (it is sent on connect)
   * @param restarted true when this log was followed earlier on the current connection
   */
  constructor(
    readonly jobId: string,
    private readonly send: (message: LogSubscribeMessage) => boolean,
    restarted = false,
  ) {
    if (restarted) this.previous = { end: undefined };
  }

  /** True when no one follows the log any more. */
  get empty(): boolean {
    return this.followers.size === 0;
  }

  /** Adds a follower, restarting the subscription if it needs earlier lines. */
  add(options: FollowLogOptions): LogFollower {
    const follower: LogFollower = { options, position: options.offset };
    const current = this.streamEnd ?? this.requestedFrom;
    if (this.followers.size === 0) {
      this.subscribe(options.offset, this.previous !== undefined);
    } else if (options.offset === undefined) {
      follower.position = current;
    } else if (current === undefined || options.offset < current) {
      this.subscribe(options.offset, true);
    }
    this.followers.add(follower);
    return follower;
  }

  /** Removes a follower; true when it was the last one. */
  remove(follower: LogFollower): boolean {
    this.followers.delete(follower);
    return this.followers.size === 0;
  }

  /** Subscribes again on a new connection, from the earliest position any follower needs. */
  connected(): void {
    const positions = [...this.followers].map((f) => f.position).filter((p) => p !== undefined);
    this.subscribe(positions.length > 0 ? Math.min(...positions) : undefined, false);
  }

  /** Handles `log.lines`. */
  lines(text: string, end: number): void {
    const computedStart = end - Buffer.byteLength(text);
    let start: number;
    if (this.previous && computedStart !== this.requestedFrom) {
      start = this.previous.end ?? computedStart;
      this.previous.end = end;
    } else {
      this.previous = undefined;
      start = this.streamEnd ?? this.requestedFrom ?? computedStart;
      this.streamEnd = end;
    }
    for (const follower of [...this.followers]) deliver(follower, text, start, end);
  }

  /** Handles `log.missing`. */
  missing(): void {
    this.previous = undefined;
    for (const follower of [...this.followers]) follower.options.onMissing?.();
  }

  /** Handles an `error` for this log: tells every follower; the channel is over. */
  fail(error: PaasmakerError): void {
    const followers = [...this.followers];
    this.followers.clear();
    for (const follower of followers) follower.options.onError?.(error);
  }

  private subscribe(from: number | undefined, restart: boolean): void {
    // A restart from the tail cannot be told apart from the old stream; followers' positions sort it out.
    this.previous = restart && from !== undefined ? { end: this.streamEnd } : undefined;
    this.requestedFrom = from;
    this.streamEnd = undefined;
    const sent = this.send({
      type: 'log.subscribe',
      jobId: this.jobId,
      ...(from === undefined ? {} : { offset: from }),
    });
    if (!sent) this.previous = undefined;
  }
}

/** Gives `follower` the part of the chunk `[start, end)` it has not had yet. */
function deliver(follower: LogFollower, text: string, start: number, end: number): void {
  const position = follower.position;
  if (position === undefined || position === start) {
    follower.position = end;
    follower.options.onLines(text, end);
  } else if (start < position && position < end) {
    follower.position = end;
    follower.options.onLines(
      Buffer.from(text)
        .subarray(position - start)
        .toString(),
      end,
    );
  }
  // Otherwise the follower had it already, or it comes before a gap that a restart will fill.
}
