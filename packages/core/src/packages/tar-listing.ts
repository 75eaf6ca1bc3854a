import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import type { ArchiveEntryHeader } from './archive-entry-check';
import { Sha256Counter } from './file-checksum';
import { startTar } from './tar-process';

/** node-tar's names for the entry types GNU tar's verbose listing shows as its first letter. */
const TYPES: Readonly<Record<string, string>> = {
  '-': 'File',
  d: 'Directory',
  l: 'SymbolicLink',
  h: 'Link',
  c: 'CharacterDevice',
  b: 'BlockDevice',
  p: 'FIFO',
};

const QUOTED = '"((?:[^"\\\\]|\\\\.)*)"';
/** `-rw-r--r-- 0/0   123 2026-12-06 14:29 "name"`, then ` -> "target"` or ` link to "target"`. */
const LINE = new RegExp(
  `^(\\S)\\S*\\s+\\S+\\s+(\\S+)\\s+\\S+\\s+\\S+\\s+${QUOTED}(?: (->|link to) ${QUOTED})?$`,
);

/**
 * Every entry header of a (gzipped or plain) tar archive, listed by GNU tar in a child process
 * (`--list --verbose --quoting-style=c`), and the SHA-256 of the bytes it read, so that an
 * extraction can prove it unpacked the archive whose headers were checked. A line GNU tar
 * prints that cannot be read back is an error: nothing is guessed.
 */
export async function listTarHeaders(
  archive: string,
  gzip: boolean,
): Promise<{ headers: ArchiveEntryHeader[]; checksum: string }> {
  const counter = new Sha256Counter();
  const tar = startTar([
    '--list',
    '--verbose',
    ...(gzip ? ['--gzip'] : []),
    '--file=-',
    '--quoting-style=c',
    '--numeric-owner',
  ]);
  let output = '';
  tar.child.stdout.setEncoding('latin1').on('data', (chunk: string) => {
    output += chunk;
  });
  try {
    await pipeline(createReadStream(archive), counter, tar.child.stdin);
    await tar.finished();
  } catch (error) {
    tar.kill();
    throw error;
  }
  const headers = output
    .split('\n')
    .filter((line) => line !== '')
    .map(parseLine);
  return { headers, checksum: counter.digest() };
}

function parseLine(line: string): ArchiveEntryHeader {
  const match = LINE.exec(line);
  if (!match) throw new Error(`unreadable tar listing line: ${JSON.stringify(line)}`);
  const [, letter = '', size = '0', name = '', , target] = match;
  return {
    path: unquote(name),
    type: TYPES[letter] ?? `Unknown(${letter})`,
    ...(target === undefined ? {} : { linkpath: unquote(target) }),
    size: /^\d+$/.test(size) ? Number(size) : 0,
  };
}

const ESCAPES: Readonly<Record<string, number>> = { n: 10, t: 9, r: 13, a: 7, b: 8, f: 12, v: 11 };

/** Undoes GNU tar's C quoting: `\"`, `\\`, `\n`…, and `\ooo` octal bytes (UTF-8 read back whole). */
function unquote(quoted: string): string {
  const bytes: number[] = [];
  for (let index = 0; index < quoted.length; index += 1) {
    const char = quoted.charCodeAt(index);
    if (quoted[index] !== '\\') {
      bytes.push(char);
      continue;
    }
    const next = quoted[index + 1] ?? '';
    const octal = /^[0-7]{3}/.exec(quoted.slice(index + 1, index + 4))?.[0];
    if (octal !== undefined) {
      bytes.push(Number.parseInt(octal, 8));
      index += 3;
    } else {
      bytes.push(ESCAPES[next] ?? next.charCodeAt(0));
      index += 1;
    }
  }
  return Buffer.from(bytes).toString('utf8');
}
