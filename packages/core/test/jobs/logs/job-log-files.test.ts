import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { JobLogFiles } from '../../../src/jobs/logs/job-log-files';
import { REDACTED, SecretMasker } from '../../../src/jobs/logs/secret-masker';
import { isPaasmakerError } from '../../../src/kernel/errors';
import { until } from './job-stream-fixtures';

let directory: string;
const opened: JobLogFiles[] = [];

beforeEach(async () => {
  directory = await mkdtemp(join(tmpdir(), 'job-logs-'));
});

afterEach(async () => {
  await Promise.all(opened.splice(0).map((files) => files.close()));
  await rm(directory, { recursive: true, force: true });
});

function logFiles(maxBytes?: number, secrets?: SecretMasker): JobLogFiles {
  const files = new JobLogFiles({
    directory,
    ...(maxBytes === undefined ? {} : { maxBytes }),
    ...(secrets ? { secrets } : {}),
  });
  opened.push(files);
  return files;
}

describe('JobLogFiles', () => {
  it('writes readable lines to <directory>/<2 chars>/<id>.log', async () => {
    const files = logFiles();
    const jobId = randomUUID();
    const { log, close } = files.openLogger(jobId);
    log.info('Cloning the repository.');
    log.warn({ branch: 'main', attempt: 2 }, 'Retrying the fetch.');
    log.error(new Error('disk full'));
    await close();
    log.info('after close: dropped, and no crash');
    await new Promise((resolve) => setTimeout(resolve, 20));
    const path = join(directory, jobId.slice(0, 2), `${jobId}.log`);
    const lines = (await readFile(path, 'utf8')).split('\n');
    expect(lines[0]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z INFO Cloning the repository\.$/);
    expect(lines[1]).toMatch(/Z WARN Retrying the fetch\. \{"branch":"main","attempt":2\}$/);
    expect(lines[2]).toMatch(/Z ERROR disk full$/);
    expect(lines[3]).toBe('Error: disk full');
    expect(lines[4]).toMatch(/^ {4}at /);
    expect(lines.join('\n')).not.toContain('after close');
    expect(await files.has(jobId)).toBe(true);
    expect(await files.has(randomUUID())).toBe(false);
  });

  it('reads from offsets, cutting at line ends and never inside a character', async () => {
    const files = logFiles();
    const jobId = randomUUID();
    const content = 'first line\nsecond – ünïcödé line\nthird\npartial';
    const stream = files.appendStream(jobId);
    await new Promise<void>((resolve) => stream.end(content, resolve));
    const size = Buffer.byteLength(content);

    const whole = await files.read(jobId, 0);
    expect(whole).toEqual({ text: content, offset: size, size });
    // 25 bytes end inside the second line: the chunk stops after the first line.
    expect(await files.read(jobId, 0, 25)).toEqual({ text: 'first line\n', offset: 11, size });
    // No line end within reach: cut before the split character ("–" is 3 bytes at 18..20).
    const inLine = await files.read(jobId, 11, 9);
    expect(inLine?.text).toBe('second ');
    expect(inLine?.offset).toBe(18);
    const rest = await files.read(jobId, 18);
    expect(rest?.text).toBe(content.slice('first line\nsecond '.length));
    expect(await files.read(jobId, size)).toEqual({ text: '', offset: size, size });
    expect(await files.read(randomUUID(), 0)).toBeUndefined();

    // Reading on from each returned offset rebuilds the file exactly.
    let offset = 0;
    let text = '';
    for (;;) {
      const chunk = await files.read(jobId, offset, 7);
      if (!chunk || chunk.offset === offset) break;
      text += chunk.text;
      offset = chunk.offset;
    }
    expect(text).toBe(content);
  });

  it('truncates at the cap with one marker line and writes nothing after it', async () => {
    const maxBytes = 1000;
    const files = logFiles(maxBytes);
    const jobId = randomUUID();
    const { log, close } = files.openLogger(jobId);
    const output = files.appendStream(jobId);
    for (let i = 0; i < 40; i++) {
      log.info(`line ${i} ${'x'.repeat(20)}`);
      output.write(`child output ${i}\n`);
    }
    await close();
    await new Promise<void>((resolve) => output.end(resolve));
    // A new logger on a truncated log writes nothing either.
    const again = files.openLogger(jobId);
    again.log.info('after reopening');
    await again.close();

    const content = await readFile(files.pathOf(jobId), 'utf8');
    const marker = `--- log truncated: it reached the limit of ${maxBytes} bytes ---\n`;
    expect(content.endsWith(marker)).toBe(true);
    expect(content.indexOf('--- log truncated')).toBe(content.length - marker.length);
    const before = content.slice(0, -marker.length);
    expect(Buffer.byteLength(before)).toBeLessThanOrEqual(maxBytes);
    expect(before.endsWith('\n')).toBe(true);
    expect(before).toContain('line 0 ');
    expect(content).not.toContain('after reopening');
    expect((await stat(files.pathOf(jobId))).size).toBe(Buffer.byteLength(content));
  });

  it('fills a long unbroken write up to the cap, then adds the marker on a line of its own within the cap', async () => {
    const files = logFiles(100);
    const jobId = randomUUID();
    const output = files.appendStream(jobId);
    await new Promise<void>((resolve) => output.end('é'.repeat(80), resolve));
    const content = await readFile(files.pathOf(jobId), 'utf8');
    expect(content).toBe(`${'é'.repeat(49)}\n--- log truncated: it reached the limit of 100 bytes ---\n`);
  });

  it.each(['../etc/passwd', 'a/b', '..', '', `${randomUUID()}/../x`, 'not-a-uuid'])(
    'rejects the job id %j with E_JOB_LOG_ID_INVALID',
    async (jobId) => {
      const files = logFiles();
      const attempts: Array<() => unknown> = [
        () => files.openLogger(jobId),
        () => files.appendStream(jobId),
        () => files.read(jobId, 0),
        () => files.watch(jobId, () => undefined),
        () => files.remove([jobId]),
        () => files.has(jobId),
      ];
      for (const attempt of attempts) {
        const error = await (async () => attempt())().then(
          () => undefined,
          (caught: unknown) => caught,
        );
        expect(isPaasmakerError(error, 'E_JOB_LOG_ID_INVALID')).toBe(true);
        expect((error as Error).message).toContain(JSON.stringify(jobId));
      }
    },
  );

  it('notifies watchers of local writes at once and of other writers by polling', async () => {
    // Polling only runs when the test advances the clock, so each source is seen separately.
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    try {
      const files = logFiles();
      const other = logFiles();
      const jobId = randomUUID();
      let calls = 0;
      const stop = files.watch(jobId, () => calls++);
      await vi.advanceTimersByTimeAsync(200); // the first poll notifies once
      await until(() => calls === 1);

      const { log, close } = files.openLogger(jobId);
      log.info('local line');
      await until(() => calls === 2); // no poll ran: the write itself notified

      const remote = other.openLogger(jobId);
      remote.log.info('line from another process');
      await remote.close();
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(calls).toBe(2); // the other instance's write is not seen without polling
      await vi.advanceTimersByTimeAsync(200);
      await until(() => calls === 3);
      const text = (await files.read(jobId, 0))?.text ?? '';
      expect(text).toContain('local line');
      expect(text).toContain('line from another process');

      await vi.advanceTimersByTimeAsync(400);
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(calls).toBe(3); // polls that find no growth stay quiet

      stop();
      await writeFile(files.pathOf(jobId), 'more\n', { flag: 'a' });
      log.info('after stopping');
      await close();
      await vi.advanceTimersByTimeAsync(400);
      expect(calls).toBe(3);
      expect(vi.getTimerCount()).toBe(0); // no poller left behind
    } finally {
      vi.useRealTimers();
    }
  });

  it('notices a log appearing, and removes logs', async () => {
    const files = logFiles();
    const other = logFiles();
    const jobId = randomUUID();
    let calls = 0;
    const stop = files.watch(jobId, () => calls++);
    await new Promise((resolve) => setTimeout(resolve, 250));
    const before = calls;
    const output = other.appendStream(jobId);
    await new Promise<void>((resolve) => output.end('hello\n', resolve));
    await until(() => calls > before);
    stop();

    await files.remove([jobId, randomUUID()]);
    expect(await files.has(jobId)).toBe(false);
    expect(await files.read(jobId, 0)).toBeUndefined();
  });

  it('masks secrets before they reach the file: logged lines, and output cut inside a secret', async () => {
    const token = 'node-token-0123456789abcdef';
    const password = 'db-pässword-42';
    const files = logFiles(undefined, new SecretMasker([token, password]));
    const jobId = randomUUID();
    const { log, close } = files.openLogger(jobId);
    log.info(`printed ${token}`);
    log.info({ url: `postgres://app:${password}@db/app` }, 'connecting');
    await close();
    const output = files.appendStream(jobId);
    // Each write ends inside a secret; the second one ends inside a character as well.
    const raw = Buffer.from(`out ${password} and ${token}\n`);
    const cuts = [8, raw.indexOf('ä') + 1, raw.length - 5, raw.length];
    for (const [i, cut] of cuts.entries()) {
      const piece = raw.subarray(i === 0 ? 0 : cuts[i - 1], cut);
      await new Promise<void>((resolve, reject) =>
        output.write(piece, (error) => (error ? reject(error) : resolve())),
      );
    }
    await new Promise<void>((resolve) => output.end(resolve));

    const written = await readFile(join(directory, jobId.slice(0, 2), `${jobId}.log`), 'utf8');
    expect(written).not.toContain(token);
    expect(written).not.toContain(password);
    expect(written).toContain(`printed ${REDACTED}`);
    expect(written).toContain(`"url":"postgres://app:${REDACTED}@db/app"`);
    expect(written).toContain(`out ${REDACTED} and ${REDACTED}\n`);
  });
});
