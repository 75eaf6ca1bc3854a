import { execFileSync } from 'node:child_process';
import { chmod, lstat, mkdir, readdir, readFile, readlink, stat, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { isPaasmakerError } from '@paasmaker/core';
import { describe, expect, it } from 'vitest';
import { sha256File } from '../../src/packages/file-checksum';
import { packFolder } from '../../src/packages/pack-folder';
import { unpackArchive } from '../../src/packages/unpack-archive';
import { useTempFolders } from './tar-fixture';

const tempFolder = useTempFolders();

async function appFolder(root: string): Promise<string> {
  const app = path.join(root, 'app');
  await mkdir(path.join(app, 'lib', 'deep'), { recursive: true });
  await mkdir(path.join(app, '.git', 'objects'), { recursive: true });
  await mkdir(path.join(app, 'empty'));
  await writeFile(path.join(app, 'package.json'), '{"name":"hello"}\n');
  await writeFile(path.join(app, '.env.example'), 'PORT=1\n');
  await writeFile(path.join(app, '@scoped'), 'not an archive to include\n');
  await writeFile(path.join(app, 'lib', 'deep', 'index.js'), 'console.log(1)\n');
  await writeFile(path.join(app, 'start.sh'), '#!/bin/sh\necho hi\n');
  await chmod(path.join(app, 'start.sh'), 0o755);
  await writeFile(path.join(app, '.git', 'HEAD'), 'ref: refs/heads/main\n');
  await symlink('lib/deep/index.js', path.join(app, 'main.js'));
  await symlink('../package.json', path.join(app, 'lib', 'pkg.json'));
  execFileSync('mkfifo', [path.join(app, 'left-by-prepare.fifo')]);
  return app;
}

describe('packFolder and unpackArchive', () => {
  it('round-trips files, dotfiles, modes and symbolic links, without .git or FIFOs', async () => {
    const root = await tempFolder();
    const app = await appFolder(root);
    const archive = path.join(root, 'out', 'app.tar.gz');

    const packed = await packFolder(app, archive);
    expect(packed).toEqual(await sha256File(archive));
    expect(packed.checksum).toMatch(/^[0-9a-f]{64}$/);
    expect(packed.bytes).toBe((await stat(archive)).size);

    const target = path.join(root, 'instance', 'app');
    await unpackArchive(archive, target);
    expect((await readdir(target)).sort()).toEqual(
      ['.env.example', '@scoped', 'empty', 'lib', 'main.js', 'package.json', 'start.sh'].sort(),
    );
    expect(await readFile(path.join(target, 'lib', 'deep', 'index.js'), 'utf8')).toBe('console.log(1)\n');
    expect(await readFile(path.join(target, '.env.example'), 'utf8')).toBe('PORT=1\n');
    expect((await stat(path.join(target, 'start.sh'))).mode & 0o111).toBe(0o111);
    expect((await stat(path.join(target, 'package.json'))).mode & 0o111).toBe(0);
    expect(await readlink(path.join(target, 'main.js'))).toBe('lib/deep/index.js');
    expect(await readFile(path.join(target, 'lib', 'pkg.json'), 'utf8')).toBe('{"name":"hello"}\n');
    expect((await lstat(path.join(target, 'empty'))).isDirectory()).toBe(true);
    expect(await readdir(path.join(root, 'instance'))).toEqual(['app']);
  });

  it('refuses, writing nothing, an archive that would unpack to more bytes or entries than allowed', async () => {
    const root = await tempFolder();
    const app = path.join(root, 'big');
    await mkdir(app);
    // Compresses to a few hundred bytes: the limit is on what it unpacks to.
    await writeFile(path.join(app, 'zeros.bin'), Buffer.alloc(1024 * 1024));
    for (const name of ['a', 'b', 'c']) await writeFile(path.join(app, name), name);
    const archive = path.join(root, 'big.tar.gz');
    const packed = await packFolder(app, archive);
    expect(packed.bytes).toBeLessThan(16 * 1024);

    const target = path.join(root, 'out', 'app');
    const tooBig = await unpackArchive(archive, target, { maxBytes: 512 * 1024 }).catch((e: unknown) => e);
    expect(isPaasmakerError(tooBig, 'E_PACKAGE_UNSAFE_ENTRY')).toBe(true);
    expect((tooBig as Error).message).toContain('the limit is 524288');
    const tooMany = await unpackArchive(archive, target, { maxEntries: 3 }).catch((e: unknown) => e);
    expect((tooMany as Error).message).toMatch(/archive of \d+ entries: the limit is 3/);
    expect(await readdir(root)).not.toContain('out');

    await unpackArchive(archive, target, { maxBytes: 2 * 1024 * 1024, maxEntries: 10 });
    expect((await stat(path.join(target, 'zeros.bin'))).size).toBe(1024 * 1024);
  });

  it('packs the same tree to the same entries in the same order', async () => {
    const root = await tempFolder();
    const app = await appFolder(root);
    const first = await packFolder(app, path.join(root, 'one.tar.gz'));
    const second = await packFolder(app, path.join(root, 'two.tar.gz'));
    expect(second.checksum).toBe(first.checksum);
  });

  it('packs and unpacks an empty folder into an existing empty target', async () => {
    const root = await tempFolder();
    await mkdir(path.join(root, 'empty'));
    await mkdir(path.join(root, 'target'));
    await packFolder(path.join(root, 'empty'), path.join(root, 'empty.tar.gz'));
    await unpackArchive(path.join(root, 'empty.tar.gz'), path.join(root, 'target'));
    expect(await readdir(path.join(root, 'target'))).toEqual([]);
  });

  it('refuses to pack a symbolic link that points outside the folder', async () => {
    const root = await tempFolder();
    await mkdir(path.join(root, 'app'));
    await symlink('/etc', path.join(root, 'app', 'etc'));
    const error = await packFolder(path.join(root, 'app'), path.join(root, 'x.tar.gz')).catch(
      (e: unknown) => e,
    );
    expect(isPaasmakerError(error, 'E_PACKAGE_UNSAFE_ENTRY')).toBe(true);
    expect((error as Error).message).toContain('"etc"');
    expect(await readdir(root)).toEqual(['app']);
  });

  it('reports a missing folder or archive as E_PACKAGE_NOT_FOUND', async () => {
    const root = await tempFolder();
    const packError = await packFolder(path.join(root, 'nope'), path.join(root, 'x.tar.gz')).catch(
      (e: unknown) => e,
    );
    expect(isPaasmakerError(packError, 'E_PACKAGE_NOT_FOUND')).toBe(true);
    const unpackError = await unpackArchive(path.join(root, 'nope.tar.gz'), path.join(root, 't')).catch(
      (e: unknown) => e,
    );
    expect(isPaasmakerError(unpackError, 'E_PACKAGE_NOT_FOUND')).toBe(true);
    expect(await readdir(root)).toEqual([]);
  });

  it('refuses to unpack over a folder that already has files', async () => {
    const root = await tempFolder();
    await mkdir(path.join(root, 'app'));
    await writeFile(path.join(root, 'app', 'a'), 'a');
    await packFolder(path.join(root, 'app'), path.join(root, 'app.tar.gz'));
    const error = await unpackArchive(path.join(root, 'app.tar.gz'), path.join(root, 'app')).catch(
      (e: unknown) => e,
    );
    expect(isPaasmakerError(error, 'E_PACKAGE_UNSAFE_ENTRY')).toBe(true);
    expect((await readdir(root)).sort()).toEqual(['app', 'app.tar.gz']);
  });
});
