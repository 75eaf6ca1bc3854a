import type { Logger } from 'pino';
import { isPaasmakerError } from '../../kernel/errors';
import type { JobLogFiles } from './job-log-files';
import type { JobLogFollow, JobLogSink } from './job-log-sink';

/** Bytes sent per `log.lines` message. */
const CHUNK_BYTES = 64 * 1024;
/** What a first subscription without an offset gets of an existing log (as the original did). */
const INITIAL_TAIL_BYTES = 100 * 1024;

/**
 * Follows a log file of this node for one subscriber: sends everything from the offset in
 * chunks, then whatever is appended. One read-and-send loop at a time; a growth noticed while
 * it runs makes it go round once more, so nothing is sent twice or skipped.
 */
export class LocalJobLogFollower implements JobLogFollow {
  private offset = 0;
  private pumping = false;
  private again = false;
  private closed = false;
  private unwatch: (() => void) | undefined;

  constructor(
    private readonly logs: JobLogFiles,
    private readonly jobId: string,
    private readonly startOffset: number | undefined,
    private readonly sink: JobLogSink,
    private readonly log: Logger,
  ) {}

  /** Starts following; lines are sent in the background. */
  async start(): Promise<void> {
    // Watch before reading, so that growth during the first read is noticed.
    this.unwatch = this.logs.watch(this.jobId, () => void this.pump());
    this.offset = this.startOffset ?? (await this.logs.tailOffset(this.jobId, INITIAL_TAIL_BYTES)) ?? 0;
    if (this.closed) return;
    if (!(await this.logs.has(this.jobId)) && !this.closed) this.sink.missing();
    void this.pump();
  }

  close(): void {
    this.closed = true;
    this.unwatch?.();
  }

  private async pump(): Promise<void> {
    if (this.pumping) {
      this.again = true;
      return;
    }
    this.pumping = true;
    try {
      do {
        this.again = false;
        await this.sendAvailable();
      } while (this.again && !this.closed);
    } catch (error) {
      if (this.closed) return;
      this.close();
      if (!isPaasmakerError(error))
        this.log.error({ err: error, jobId: this.jobId }, 'Cannot stream a job log.');
      this.sink.error(
        isPaasmakerError(error) ? error.code : 'E_JOB_LOG_UNAVAILABLE',
        isPaasmakerError(error) ? error.message : `Cannot read the log of job ${this.jobId}.`,
      );
    } finally {
      this.pumping = false;
    }
  }

  private async sendAvailable(): Promise<void> {
    while (!this.closed) {
      const chunk = await this.logs.read(this.jobId, this.offset, CHUNK_BYTES);
      if (this.closed || !chunk || chunk.offset === this.offset) return;
      this.offset = chunk.offset;
      await this.sink.lines(chunk.text, chunk.offset);
    }
  }
}
