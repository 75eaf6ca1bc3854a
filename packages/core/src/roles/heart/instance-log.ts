import { appendFile, mkdir, open } from 'node:fs/promises';
import path from 'node:path';

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
