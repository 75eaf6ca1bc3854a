import { open, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { type Level, type Logger, pino } from 'pino';
import { PaasmakerError } from '../../kernel/errors';
import { CappedLogFile } from './capped-log-file';
import { formatJobLogLine } from './job-log-line-format';
import { JobLogWatches } from './job-log-watches';
import { SecretMasker } from './secret-masker';
import { utf8Boundary } from './utf8-boundary';

const JOB_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const NEWLINE = 0x0a;

/** Options of {@link JobLogFiles}. */
export interface JobLogFilesOptions {
  /** Where logs live: `<directory>/<first 2 characters of the id>/<id>.log`. */
  directory: string;
  /** The most a log grows to before it is truncated (10 MiB by default). */
  maxBytes?: number;
  /** Where failures to write a log are reported. */
  log?: Logger;
  /** Secrets masked in everything written to a log, so that no log file holds them. */
  secrets?: SecretMasker;
}

/** A logger writing to one job's log, and how to close it. */
export interface JobLogger {
  log: Logger;
  /** Flushes what was logged and releases the file. */
  close(): Promise<void>;
}

/** A piece of a log read by {@link JobLogFiles.read}. */
export interface JobLogChunk {
  /** Whole UTF-8 characters, ending at a line end unless the chunk stopped in a long line. */
  text: string;
  /** The byte offset just after `text`: where to read next. */
  offset: number;
  /** The file's size when it was read. */
  size: number;
}

interface SharedFile {
  file: CappedLogFile;
  users: number;
}

/**
 * The log files of the jobs run on this node, one per job. Loggers and child-process streams of
 * one job share one capped file; watchers hear about growth at once for writes made here and
 * within 200 ms for writes made by other processes.
 */
export class JobLogFiles {
  readonly directory: string;
  readonly maxBytes: number;
  private readonly log: Logger | undefined;
  private readonly secrets: SecretMasker;
  private readonly files = new Map<string, SharedFile>();
  private readonly watches: JobLogWatches;

  constructor(options: JobLogFilesOptions) {
    this.directory = options.directory;
    this.maxBytes = options.maxBytes ?? 10 * 1024 * 1024;
    this.log = options.log;
    this.secrets = options.secrets ?? SecretMasker.NONE;
    this.watches = new JobLogWatches(async (jobId) => (await this.size(jobId)) ?? -1, this.log);
  }

  /** Where the log of `jobId` is; throws `E_JOB_LOG_ID_INVALID` unless `jobId` is a UUID. */
  pathOf(jobId: string): string {
    if (typeof jobId !== 'string' || !JOB_ID.test(jobId)) {
      throw new PaasmakerError(
        'E_JOB_LOG_ID_INVALID',
        `Job log id ${JSON.stringify(jobId) ?? String(jobId)} is not a job id: job ids are UUIDs.`,
      );
    }
    return join(this.directory, jobId.slice(0, 2), `${jobId}.log`);
  }

  /**
   * A pino logger whose records are appended to the job's log as readable lines
   * (`<ISO time> <LEVEL> <message> <fields as JSON>`, then an error's stack), secrets masked.
   */
  openLogger(jobId: string, options: { level?: Level } = {}): JobLogger {
    this.pathOf(jobId);
    // The file is opened at the first record: jobs that log nothing never create one.
    let opened: CappedLogFile | undefined;
    const file = (): CappedLogFile => {
      opened ??= this.acquire(jobId);
      return opened;
    };
    let pending = '';
    const secrets = this.secrets;
    const destination = new Writable({
      decodeStrings: false,
      write(chunk: string | Buffer, _encoding, done) {
        pending += chunk.toString();
        const end = pending.lastIndexOf('\n');
        if (end < 0) return done();
        const lines = pending.slice(0, end).split('\n');
        pending = pending.slice(end + 1);
        file()
          .append(Buffer.from(secrets.mask(lines.map(formatJobLogLine).join(''))))
          .then(() => done());
      },
      final(done) {
        if (!pending) return done();
        file()
          .append(Buffer.from(secrets.mask(formatJobLogLine(pending))))
          .then(() => done());
      },
    });
    // Logging after close() is dropped rather than crashing the process with "write after end".
    destination.on('error', (error) =>
      this.log?.debug({ err: error, jobId }, 'A job logger was used after close().'),
    );
    const log = pino({ level: options.level ?? 'info', base: null }, destination);
    let closing: Promise<void> | undefined;
    const close = () => {
      closing ??= new Promise<void>((resolve) => destination.end(resolve)).then(() =>
        opened ? this.release(jobId) : undefined,
      );
      return closing;
    };
    return { log, close };
  }

  /**
   * A stream appending raw bytes (a child process's stdout or stderr) to the job's log, under the
   * same cap, secrets masked (the start of one may wait for the next write, to be masked whole).
   * Ending it releases the file; to send both stdout and stderr, take one each.
   */
  appendStream(jobId: string): Writable {
    const file = this.acquire(jobId);
    const secrets = this.secrets;
    let held: Buffer = Buffer.alloc(0);
    const mask = (bytes: Buffer, more: boolean): Buffer => {
      if (secrets.empty) return bytes;
      const { text, end } = secrets.maskRange(bytes, 0, bytes.length, more);
      held = bytes.subarray(end);
      return Buffer.from(text);
    };
    let released = false;
    const release = () => {
      if (released) return Promise.resolve();
      released = true;
      return this.release(jobId);
    };
    return new Writable({
      write(chunk: Buffer, _encoding, done) {
        file.append(mask(held.length ? Buffer.concat([held, chunk]) : chunk, true)).then(() => done());
      },
      final(done) {
        file
          .append(mask(held, false))
          .then(release)
          .then(() => done());
      },
      destroy(error, done) {
        release().then(() => done(error));
      },
    });
  }

  /**
   * Reads the log from byte `offset`: at most `maxBytes`, cut after the last whole line when the
   * file goes on, and never inside a UTF-8 character. Undefined when the log does not exist.
   */
  async read(jobId: string, offset: number, maxBytes = 256 * 1024): Promise<JobLogChunk | undefined> {
    const path = this.pathOf(jobId);
    const handle = await open(path, 'r').catch(ifMissing(undefined));
    if (!handle) return undefined;
    try {
      const { size } = await handle.stat();
      const from = Math.max(0, Math.floor(offset));
      if (from >= size) return { text: '', offset: from, size };
      const buffer = Buffer.alloc(Math.min(Math.max(4, maxBytes), size - from));
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, from);
      let end = bytesRead;
      const lastNewline = buffer.lastIndexOf(NEWLINE, end - 1);
      if (from + bytesRead < size && lastNewline >= 0) end = lastNewline + 1;
      else end = utf8Boundary(buffer, end);
      return { text: buffer.toString('utf8', 0, end), offset: from + end, size };
    } finally {
      await handle.close();
    }
  }

  /** The whole log (at most {@link maxBytes}, as logs are capped), undefined when it does not exist. */
  async readWhole(jobId: string): Promise<string | undefined> {
    const parts: string[] = [];
    let offset = 0;
    for (;;) {
      const chunk = await this.read(jobId, offset, 1024 * 1024);
      if (!chunk) return offset === 0 ? undefined : parts.join('');
      parts.push(chunk.text);
      if (chunk.offset <= offset || chunk.offset >= chunk.size) return parts.join('');
      offset = chunk.offset;
    }
  }

  /**
   * Where to start showing the last `bytes` of a log: the start of the first whole line among
   * them (0 for a smaller log). Undefined when the log does not exist.
   */
  async tailOffset(jobId: string, bytes: number): Promise<number | undefined> {
    const handle = await open(this.pathOf(jobId), 'r').catch(ifMissing(undefined));
    if (!handle) return undefined;
    try {
      const { size } = await handle.stat();
      if (size <= bytes) return 0;
      const start = size - bytes;
      // One byte more, so that a line starting exactly at `start` is kept whole.
      const buffer = Buffer.alloc(bytes + 1);
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, start - 1);
      const newline = buffer.subarray(0, bytesRead).indexOf(NEWLINE);
      if (newline >= 0) return start + newline;
      let skip = 1;
      while (skip < bytesRead && ((buffer[skip] ?? 0) & 0xc0) === 0x80) skip++;
      return start - 1 + skip;
    } finally {
      await handle.close();
    }
  }

  /** The log's size in bytes, undefined when it does not exist. */
  async size(jobId: string): Promise<number | undefined> {
    const found = await stat(this.pathOf(jobId)).catch(ifMissing(undefined));
    return found?.size;
  }

  /** True when the job has a log here. */
  async has(jobId: string): Promise<boolean> {
    return (await this.size(jobId)) !== undefined;
  }

  /**
   * Calls `listener` whenever the log may have grown (or appeared). Returns how to stop.
   * Listeners must tolerate calls where nothing changed.
   */
  watch(jobId: string, listener: () => void): () => void {
    this.pathOf(jobId);
    return this.watches.watch(jobId, listener);
  }

  /** Deletes the logs of `jobIds` (pruning); missing logs are ignored. */
  async remove(jobIds: string[]): Promise<void> {
    const paths = jobIds.map((jobId) => this.pathOf(jobId));
    await Promise.all(paths.map((path) => rm(path, { force: true })));
  }

  /** Stops every watch and closes every log file still open. */
  async close(): Promise<void> {
    this.watches.close();
    const files = [...this.files.values()];
    this.files.clear();
    await Promise.all(files.map(({ file }) => file.close()));
  }

  private acquire(jobId: string): CappedLogFile {
    const path = this.pathOf(jobId);
    let shared = this.files.get(jobId);
    if (!shared) {
      const file = new CappedLogFile(
        path,
        this.maxBytes,
        () => this.watches.notify(jobId),
        (error) => this.reportWriteError(jobId, path, error),
      );
      shared = { file, users: 0 };
      this.files.set(jobId, shared);
    }
    shared.users++;
    return shared.file;
  }

  private async release(jobId: string): Promise<void> {
    const shared = this.files.get(jobId);
    if (!shared) return;
    shared.users--;
    if (shared.users > 0) return;
    this.files.delete(jobId);
    await shared.file.close();
  }

  private reportWriteError(jobId: string, path: string, error: unknown): void {
    const message = `Cannot write the log of job ${jobId} at ${path}; its later lines are dropped.`;
    if (this.log) this.log.error({ err: error, jobId }, message);
    else process.emitWarning(`${message} ${error instanceof Error ? error.message : String(error)}`);
  }
}

function ifMissing<T>(value: T): (error: unknown) => T {
  return (error) => {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return value;
    throw error;
  };
}
