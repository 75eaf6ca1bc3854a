import { mkdir, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createKernel, isPaasmakerError, type Kernel, type ProviderCall } from '@paasmaker/core';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { packFolder } from '../../src/packages/pack-folder';
import { UPLOAD_SCM_NAME, uploadScmPlugin } from '../../src/packages/upload-scm-plugin';
import { useTempFolders, writeRawTarGz } from './tar-fixture';

const tempFolder = useTempFolders();
const call: ProviderCall = { log: pino({ enabled: false }), signal: new AbortController().signal };
const kernels: Kernel[] = [];
afterEach(async () => {
  for (const kernel of kernels.splice(0)) await kernel.close();
});

/** A kernel with the upload SCM, an uploads folder holding `app.tar.gz`, and an empty working copy. */
async function setUp() {
  const root = await tempFolder();
  const uploads = path.join(root, 'uploads');
  const app = path.join(root, 'app');
  await mkdir(uploads);
  await mkdir(app);
  await writeFile(path.join(app, 'index.js'), 'hello\n');
  await packFolder(app, path.join(uploads, 'app.tar.gz'));
  const workingDirectory = path.join(root, 'working');
  await mkdir(workingDirectory);
  const kernel = await createKernel({
    plugins: [{ plugin: uploadScmPlugin, options: { uploadDirectory: uploads } }],
  });
  kernels.push(kernel);
  return { root, uploads, workingDirectory, scm: kernel.provider('scm', UPLOAD_SCM_NAME) };
}

describe('paasmaker.scm.upload', () => {
  it('unpacks an uploaded archive into the working copy', async () => {
    const { uploads, workingDirectory, scm } = await setUp();
    const result = await scm.checkout(
      { parameters: { location: path.join(uploads, 'app.tar.gz') }, workingDirectory },
      call,
    );
    expect(result).toEqual({ outputParameters: { location: 'uploaded archive' } });
    expect(await readFile(path.join(workingDirectory, 'index.js'), 'utf8')).toBe('hello\n');
  });

  it('refuses a location outside the upload folder', async () => {
    const { root, uploads, workingDirectory, scm } = await setUp();
    await packFolder(path.join(root, 'app'), path.join(root, 'elsewhere.tar.gz'));
    await symlink(path.join(root, 'elsewhere.tar.gz'), path.join(uploads, 'sneaky.tar.gz'));
    for (const location of [
      path.join(root, 'elsewhere.tar.gz'),
      '../elsewhere.tar.gz',
      `${uploads}/../elsewhere.tar.gz`,
      path.join(uploads, 'sneaky.tar.gz'),
      uploads,
    ]) {
      const error = await scm
        .checkout({ parameters: { location }, workingDirectory }, call)
        .catch((e: unknown) => e);
      expect(isPaasmakerError(error, 'E_SCM_UNSAFE_INPUT'), `${location}: ${String(error)}`).toBe(true);
    }
    expect(await readdir(workingDirectory)).toEqual([]);
  });

  it('refuses an uploaded archive with unsafe entries, leaving the working copy empty', async () => {
    const { uploads, workingDirectory, scm } = await setUp();
    await writeRawTarGz(path.join(uploads, 'evil.tar.gz'), [{ path: '../evil', type: '0', body: 'x' }]);
    const error = await scm
      .checkout({ parameters: { location: 'evil.tar.gz' }, workingDirectory }, call)
      .catch((e: unknown) => e);
    expect(isPaasmakerError(error, 'E_PACKAGE_UNSAFE_ENTRY')).toBe(true);
    expect(await readdir(workingDirectory)).toEqual([]);
    expect((await readdir(path.dirname(workingDirectory))).sort()).toEqual(['app', 'uploads', 'working']);
  });

  it('reports a missing upload as E_PACKAGE_NOT_FOUND', async () => {
    const { workingDirectory, scm } = await setUp();
    const error = await scm
      .checkout({ parameters: { location: 'missing.tar.gz' }, workingDirectory }, call)
      .catch((e: unknown) => e);
    expect(isPaasmakerError(error, 'E_PACKAGE_NOT_FOUND')).toBe(true);
  });
});
