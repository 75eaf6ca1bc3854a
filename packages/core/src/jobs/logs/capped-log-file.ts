import { type FileHandle, mkdir, open } from 'node:fs/promises';
import { dirname } from 'node:path';
import { utf8Boundary } from './utf8-boundary';

const NEWLINE = 0x0a;

/**
 * One job's log file opened for appending, shared by every logger and stream of that job in this
 * process so that the size cap holds for all of them together. Appends are written one after
 * the other; once the file would pass `maxBytes`, what still fits (up to the last whole line
 * when there is one) is written, then one marker line, and everything later is dropped. The
 * file therefore never grows past `maxBytes` plus the marker (one file written only here: the
 * size is read when the file is opened, and only this process's writes are counted after).
 */
export class CappedLogFile {
  private handle: FileHandle | undefined;
  private size = 0;
  private endsWithNewline = true;
  private truncated = false;
  private failed = false;
  private queue: Promise<void>;

  /**
   * @param onWritten called with the new size after every write reached the file
   * @param onError called once with the first error opening or writing the file; later writes are dropped
   */
  constructor(
    readonly path: string,
    private readonly maxBytes: number,
    private readonly onWritten: (size: number) => void,
    private readonly onError: (error: unknown) => void,
  ) {
    this.queue = this.guard(() => this.open());
  }

  /** The line written once the cap is reached. */
  static marker(maxBytes: number): string {
    return `--- log truncated: it reached the limit of ${maxBytes} bytes ---\n`;
  }

  /** Appends `data` after every earlier append; resolves once written (or dropped), never rejects. */
  append(data: Buffer): Promise<void> {
    this.queue = this.queue.then(() => this.guard(() => this.write(data)));
    return this.queue;
  }

  /** Waits for pending appends, then closes the file. */
  close(): Promise<void> {
    this.queue = this.queue.then(async () => {
      const handle = this.handle;
      this.handle = undefined;
      this.failed = true;
      await handle?.close().catch(this.onError);
    });
    return this.queue;
  }

  private async guard(operation: () => Promise<void>): Promise<void> {
    if (this.failed) return;
    try {
      await operation();
    } catch (error) {
      this.failed = true;
      this.onError(error);
    }
  }

  private async open(): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true });
    this.handle = await open(this.path, 'a+');
    this.size = (await this.handle.stat()).size;
    // Only the marker takes a file past the cap, so a bigger file was truncated already.
    this.truncated = this.size > this.maxBytes;
    if (this.size > 0) {
      const last = Buffer.alloc(1);
      await this.handle.read(last, 0, 1, this.size - 1);
      this.endsWithNewline = last[0] === NEWLINE;
    }
  }

  private async write(data: Buffer): Promise<void> {
    if (this.truncated || data.length === 0) return;
    const room = this.maxBytes - this.size;
    const endsLine = data[data.length - 1] === NEWLINE;
    if (data.length < room || (data.length === room && endsLine)) {
      await this.writeAll(data);
    } else {
      // Keep whole lines if any fit; otherwise fill up, leaving a byte for the line break
      // that puts the marker on a line of its own.
      const lastNewline = room > 0 ? data.lastIndexOf(NEWLINE, room - 1) : -1;
      const fits = lastNewline >= 0 ? lastNewline + 1 : utf8Boundary(data, Math.max(room - 1, 0));
      if (fits > 0) await this.writeAll(data.subarray(0, fits));
      this.truncated = true;
      const marker = CappedLogFile.marker(this.maxBytes);
      await this.writeAll(Buffer.from(this.endsWithNewline ? marker : `\n${marker}`));
    }
    this.onWritten(this.size);
  }

  private async writeAll(data: Buffer): Promise<void> {
    const handle = this.handle;
    if (!handle) return;
    let written = 0;
    while (written < data.length) {
      const { bytesWritten } = await handle.write(data, written, data.length - written);
      written += bytesWritten;
    }
    this.size += data.length;
    this.endsWithNewline = data[data.length - 1] === NEWLINE;
  }
}
