import { execFileSync } from 'node:child_process';
import { link, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { listTarHeaders } from '../../src/packages/tar-listing';

describe('listTarHeaders', () => {
  let root: string;
  beforeEach(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'pm-tar-listing-'));
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('reads back names with spaces, quotes, backslashes, new lines, " -> " and UTF-8 exactly', async () => {
    const tree = path.join(root, 'tree');
    const odd = ['a b"c', 'back\\slash', 'new\nline', 'x -> y', 'café ☕'];
    await mkdir(path.join(tree, 'd'), { recursive: true });
    for (const name of odd) await writeFile(path.join(tree, 'd', name), 'x');
    await symlink('d/a b"c', path.join(tree, 'link -> odd'));
    await link(path.join(tree, 'd', 'café ☕'), path.join(tree, 'hard'));
    const archive = path.join(root, 'a.tar.gz');
    execFileSync('tar', ['czf', archive, '-C', tree, '.']);

    const { headers, checksum } = await listTarHeaders(archive, true);
    expect(checksum).toMatch(/^[0-9a-f]{64}$/);
    const byPath = new Map(headers.map((header) => [header.path, header]));
    for (const name of odd) expect(byPath.get(`./d/${name}`)?.type, name).toMatch(/^(File|Link)$/);
    expect(byPath.get('./link -> odd')).toMatchObject({ type: 'SymbolicLink', linkpath: 'd/a b"c' });
    const hardLinked = headers.find((header) => header.type === 'Link');
    expect(hardLinked?.linkpath === './hard' || hardLinked?.linkpath === './d/café ☕').toBe(true);
    expect(byPath.get('./d/')?.type).toBe('Directory');
    expect(byPath.get('./d/a b"c')?.size).toBe(1);
  });

  it('fails on a file that is not a tar archive', async () => {
    const file = path.join(root, 'not.tar');
    await writeFile(file, 'not a tar archive at all'.repeat(40));
    await expect(listTarHeaders(file, false)).rejects.toThrow(/tar exited/);
  });
});
