import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach } from 'vitest';

/** One hand-written tar entry; `type` is the ustar type flag ('0' file, '1' hard link, '2' symlink, '3' char device, '5' folder, '6' FIFO). */
export interface RawTarEntry {
  path: string;
  type: '0' | '1' | '2' | '3' | '5' | '6';
  linkpath?: string;
  body?: string;
  mode?: number;
}

const field = (header: Buffer, offset: number, length: number, value: string): void => {
  header.write(value, offset, length, 'utf8');
};
const octal = (value: number, length: number): string => `${value.toString(8).padStart(length - 1, '0')}\0`;

/**
 * A gzipped tar archive written header by header, with no sanitising at all, so tests can
 * build the archives an attacker would.
 */
export function rawTarGz(entries: readonly RawTarEntry[]): Buffer {
  const blocks: Buffer[] = [];
  for (const entry of entries) {
    const body = Buffer.from(entry.body ?? '', 'utf8');
    const header = Buffer.alloc(512);
    field(header, 0, 100, entry.path);
    field(header, 100, 8, octal(entry.mode ?? (entry.type === '5' ? 0o755 : 0o644), 8));
    field(header, 108, 8, octal(0, 8));
    field(header, 116, 8, octal(0, 8));
    field(header, 124, 12, octal(entry.type === '0' ? body.length : 0, 12));
    field(header, 136, 12, octal(1_700_000_000, 12));
    field(header, 148, 8, '        ');
    field(header, 156, 1, entry.type);
    field(header, 157, 100, entry.linkpath ?? '');
    field(header, 257, 6, 'ustar\0');
    field(header, 263, 2, '00');
    let sum = 0;
    for (const byte of header) sum += byte;
    field(header, 148, 8, `${sum.toString(8).padStart(6, '0')}\0 `);
    blocks.push(header);
    if (entry.type === '0' && body.length > 0) {
      blocks.push(body, Buffer.alloc((512 - (body.length % 512)) % 512));
    }
  }
  blocks.push(Buffer.alloc(1024));
  return gzipSync(Buffer.concat(blocks));
}

/** Writes a raw archive to `file`. */
export async function writeRawTarGz(file: string, entries: readonly RawTarEntry[]): Promise<string> {
  await writeFile(file, rawTarGz(entries));
  return file;
}

/** A fresh temporary folder per call, removed after the test. */
export function useTempFolders(): () => Promise<string> {
  const made: string[] = [];
  afterEach(async () => {
    await Promise.all(made.splice(0).map((folder) => rm(folder, { recursive: true, force: true })));
  });
  return async () => {
    const folder = await mkdtemp(path.join(os.tmpdir(), 'paasmaker-packages-'));
    made.push(folder);
    return folder;
  };
}
