import { appendFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { REDACTED, SecretMasker } from '../../../src/jobs/logs/secret-masker';
import { readInstanceLog } from '../../../src/roles/heart/instance-log';

const TOKEN = 'super-token-0123456789abcdef0123456789';
const secrets = new SecretMasker([TOKEN]);
const CHUNK = 256 * 1024;

let folder: string;
let file: string;
beforeEach(async () => {
  folder = await mkdtemp(path.join(tmpdir(), 'pm-instance-log-'));
  file = path.join(folder, 'instance.log');
});
afterEach(() => rm(folder, { recursive: true, force: true }));

/** Every chunk from `offset` until a read gives nothing new, joined. */
async function readAll(offset = 0): Promise<string> {
  const parts: string[] = [];
  for (let at = offset; ; ) {
    const { text, next } = await readInstanceLog(file, at, secrets);
    if (next === at) return parts.join('');
    parts.push(text);
    at = next;
  }
}

describe('readInstanceLog', () => {
  it('masks secrets the app printed', async () => {
    await writeFile(file, `booting\nconnected with ${TOKEN}\n`);
    expect(await readInstanceLog(file, 0, secrets)).toEqual({
      text: `booting\nconnected with ${REDACTED}\n`,
      next: Buffer.byteLength(`booting\nconnected with ${TOKEN}\n`),
    });
  });

  it('masks a secret cut by the end of a 256 KiB chunk', async () => {
    const filler = 'x'.repeat(CHUNK - 10);
    await writeFile(file, `${filler}${TOKEN}\nafter\n`);
    const first = await readInstanceLog(file, 0, secrets);
    expect(first.text).toBe(`${filler}${REDACTED}`);
    expect(await readAll()).toBe(`${filler}${REDACTED}\nafter\n`);
  });

  it('keeps back the start of a secret the app is still writing, then masks it whole', async () => {
    await writeFile(file, `line\n${TOKEN.slice(0, 20)}`);
    const first = await readInstanceLog(file, 0, secrets);
    expect(first).toEqual({ text: 'line\n', next: 5 });
    await appendFile(file, `${TOKEN.slice(20)}\n`);
    expect((await readInstanceLog(file, first.next, secrets)).text).toBe(`${REDACTED}\n`);
  });

  it('shows nothing of a secret to a reader that starts inside it', async () => {
    await writeFile(file, `token ${TOKEN}\n`);
    for (let offset = 6; offset < 6 + TOKEN.length; offset++) {
      const { text } = await readInstanceLog(file, offset, secrets);
      expect(text, `from byte ${offset}`).toBe(`${REDACTED}\n`);
    }
  });
});
