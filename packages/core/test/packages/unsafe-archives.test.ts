import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { isPaasmakerError, type PaasmakerError } from '@paasmaker/core';
import { describe, expect, it } from 'vitest';
import { unpackArchive } from '../../src/packages/unpack-archive';
import { type RawTarEntry, useTempFolders, writeRawTarGz } from './tar-fixture';

const tempFolder = useTempFolders();

/**
 * Lays out a sandbox: `outside/secret` (what an attack would reach), the archive, and an
 * `instance` folder holding the unpack target. Returns the refusal.
 */
async function refuse(
  entries: (sandbox: string) => RawTarEntry[],
): Promise<{ error: PaasmakerError; sandbox: string }> {
  const sandbox = await tempFolder();
  await mkdir(path.join(sandbox, 'outside'));
  await writeFile(path.join(sandbox, 'outside', 'secret'), 'untouched');
  await mkdir(path.join(sandbox, 'instance'));
  const archive = await writeRawTarGz(path.join(sandbox, 'evil.tar.gz'), entries(sandbox));
  const target = path.join(sandbox, 'instance', 'app');
  const error = await unpackArchive(archive, target).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isPaasmakerError(error, 'E_PACKAGE_UNSAFE_ENTRY'), String(error)).toBe(true);
  // Nothing written anywhere: no target, no staging folder, nothing new outside.
  expect(await readdir(path.join(sandbox, 'instance'))).toEqual([]);
  expect((await readdir(sandbox)).sort()).toEqual(['evil.tar.gz', 'instance', 'outside']);
  expect(await readdir(path.join(sandbox, 'outside'))).toEqual(['secret']);
  expect(await readFile(path.join(sandbox, 'outside', 'secret'), 'utf8')).toBe('untouched');
  return { error: error as PaasmakerError, sandbox };
}

const file = (p: string, body = 'pwned'): RawTarEntry => ({ path: p, type: '0', body });

describe('unpackArchive refuses entries that escape the target', () => {
  it('refuses ../evil, naming the entry', async () => {
    const { error } = await refuse(() => [file('ok.txt', 'fine'), file('../evil')]);
    expect(error.message).toContain('"../evil"');
  });

  it('refuses an entry climbing out of the instance folder (../../outside/secret)', async () => {
    const { error } = await refuse(() => [file('../../outside/secret')]);
    expect(error.message).toContain('../../outside/secret');
  });

  it('refuses a/../../evil', async () => {
    const { error } = await refuse(() => [{ path: 'a', type: '5' }, file('a/../../evil')]);
    expect(error.message).toContain('"a/../../evil"');
  });

  it('refuses an absolute path', async () => {
    const { error } = await refuse((sandbox) => [file(path.join(sandbox, 'outside', 'abs'))]);
    expect(error.message).toContain('is absolute');
  });

  it('refuses /abs at the root', async () => {
    const { error } = await refuse(() => [file('/abs')]);
    expect(error.message).toContain('"/abs"');
  });

  it('refuses a symbolic link to an absolute folder, and writing through it', async () => {
    const { error } = await refuse((sandbox) => [
      { path: 'link', type: '2', linkpath: path.join(sandbox, 'outside') },
      file('link/secret'),
    ]);
    expect(error.message).toContain('"link"');
  });

  it('refuses link -> /etc followed by a file under link/', async () => {
    // Not link/passwd itself: tests may run as root, and a regression must not clobber it.
    const probe = `paasmaker-unpack-test-${process.pid}`;
    const { error } = await refuse(() => [
      { path: 'link', type: '2', linkpath: '/etc' },
      file(`link/${probe}`),
    ]);
    expect(error.message).toContain('"link"');
    expect(await stat(`/etc/${probe}`).catch(() => 'absent')).toBe('absent');
  });

  it('refuses a relative symbolic link that resolves outside', async () => {
    const { error } = await refuse(() => [
      { path: 'sub', type: '5' },
      { path: 'sub/up', type: '2', linkpath: '../../outside' },
    ]);
    expect(error.message).toContain('"sub/up"');
  });

  it('refuses a link that escapes through another link (a -> ., then b -> a/..)', async () => {
    const { error } = await refuse(() => [
      { path: 'b', type: '2', linkpath: 'a/..' },
      { path: 'a', type: '2', linkpath: '.' },
    ]);
    expect(error.message).toContain('"b"');
  });

  it('refuses an entry written through an in-archive link', async () => {
    const { error } = await refuse(() => [
      { path: 'dir', type: '5' },
      { path: 'alias', type: '2', linkpath: 'dir' },
      file('alias/x'),
    ]);
    expect(error.message).toContain('"alias/x"');
  });

  it('refuses a hard link to /etc/passwd', async () => {
    const { error } = await refuse(() => [{ path: 'passwd', type: '1', linkpath: '/etc/passwd' }]);
    expect(error.message).toContain('"passwd"');
  });

  it('refuses a hard link to a file outside by a relative path', async () => {
    const { error } = await refuse(() => [{ path: 'secret', type: '1', linkpath: '../../outside/secret' }]);
    expect(error.message).toContain('"secret"');
  });

  it('refuses device and FIFO entries', async () => {
    const device = await refuse(() => [{ path: 'null', type: '3' }]);
    expect(device.error.message).toContain('CharacterDevice');
    const fifo = await refuse(() => [file('fine'), { path: 'pipe', type: '6' }]);
    expect(fifo.error.message).toContain('"pipe"');
  });

  it('refuses a file that is not an archive', async () => {
    const sandbox = await tempFolder();
    await writeFile(path.join(sandbox, 'junk.tar.gz'), 'this is not a tarball at all');
    const error = await unpackArchive(path.join(sandbox, 'junk.tar.gz'), path.join(sandbox, 'app')).catch(
      (e: unknown) => e,
    );
    expect(isPaasmakerError(error, 'E_PACKAGE_UNSAFE_ENTRY')).toBe(true);
    expect(await readdir(sandbox)).toEqual(['junk.tar.gz']);
  });

  it('accepts links and hard links that stay inside', async () => {
    const sandbox = await tempFolder();
    const archive = await writeRawTarGz(path.join(sandbox, 'ok.tar.gz'), [
      { path: 'dir', type: '5' },
      file('dir/file', 'content'),
      { path: 'dir/same', type: '1', linkpath: 'dir/file' },
      { path: 'dir/sibling', type: '2', linkpath: '../top' },
      file('top', 'top'),
      { path: 'setuid', type: '0', body: '#!/bin/sh\n', mode: 0o4755 },
    ]);
    await unpackArchive(archive, path.join(sandbox, 'app'));
    expect(await readFile(path.join(sandbox, 'app', 'dir', 'same'), 'utf8')).toBe('content');
    expect(await readFile(path.join(sandbox, 'app', 'dir', 'sibling'), 'utf8')).toBe('top');
    expect((await stat(path.join(sandbox, 'app', 'setuid'))).mode & 0o7777).toBe(0o755);
  });
});
