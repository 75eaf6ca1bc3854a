import { appendFile, mkdir, open } from 'node:fs/promises';
import path from 'node:path';
import type { SecretMasker } from '../../jobs/logs/secret-masker';
import { utf8Boundary } from '../../jobs/logs/utf8-boundary';

/** Appends a note from the heart to an instance's log, marked so it reads apart from the app's own output. */
export async function appendInstanceLog(file: string, message: string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  await appendFile(file, `[paasmaker ${new Date().toISOString()}] ${message}\n`, { mode: 0o600 });
}

/** The last `count` lines of an instance's log (reads at most the last 64 KiB); none if there is no log. */
export async function tailInstanceLog(file: string, count: number): Promise<string[]> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(file, 'r');
  } catch {
    return [];
  }
  try {
    const { size } = await handle.stat();
    const length = Math.min(size, 64 * 1024);
    const buffer = Buffer.alloc(length);
    await handle.read(buffer, 0, length, size - length);
    const lines = buffer.toString('utf8').split('\n');
    if (lines.at(-1) === '') lines.pop();
    // The first line may be cut by the 64 KiB window; drop it unless the whole file was read.
    if (length < size) lines.shift();
    return lines.slice(-count);
  } finally {
    await handle.close();
  }
}

/** A piece of an instance log: the text from the asked offset, and the offset to ask for next. */
export interface InstanceLogChunk {
  text: string;
  next: number;
}

const LOG_CHUNK_BYTES = 256 * 1024;

/**
 * Reads an instance's log from byte `offset`, at most 256 KiB and never inside a UTF-8 character,
 * with `secrets` masked. The app writes the file itself, so this is where its log is masked: a
 * secret cut by the offset or the end of the read is still seen (the bytes around are read too),
 * and the unfinished start of one at the end of the file waits for the next read.
 * An offset past the end (the log was truncated) reads from the start; no log reads as empty.
 */
export async function readInstanceLog(
  file: string,
  offset: number,
  secrets: SecretMasker,
): Promise<InstanceLogChunk> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(file, 'r');
  } catch {
    return { text: '', next: offset };
  }
  try {
    const { size } = await handle.stat();
    const start = offset > size ? 0 : offset;
    const before = Math.min(start, secrets.contextBytes);
    const length = Math.min(LOG_CHUNK_BYTES, size - start);
    const buffer = Buffer.alloc(before + Math.min(length + secrets.contextBytes, size - start));
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, start - before);
    const read = buffer.subarray(0, bytesRead);
    const end = utf8Boundary(read, Math.min(before + length, bytesRead));
    const masked = secrets.maskRange(read, before, end, true);
    return { text: masked.text, next: start - before + masked.end };
  } finally {
    await handle.close();
  }
}
