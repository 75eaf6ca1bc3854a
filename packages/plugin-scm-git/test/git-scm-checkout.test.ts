import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import type { JsonObject, Kernel, ProviderCall, ScmProvider } from '@paasmaker/core';
import {
  describeScmConformance,
  expectPaasmakerError,
  providerCall,
  temporaryFolder,
  throwawayKernel,
} from '@paasmaker/testkit';
import { Ajv } from 'ajv';
import { pino } from 'pino';
import { beforeEach, describe, expect, it } from 'vitest';
import { GIT_SCM_NAME, gitScmPlugin } from '../src/index';
import { git, SourceRepository } from './git-fixtures';

interface LogLine {
  msg: string;
  git?: string;
}

describeScmConformance({
  scm: GIT_SCM_NAME,
  plugins: [gitScmPlugin],
  source(folder) {
    const files = { 'app.js': 'console.log(1);\n', 'lib/util.js': 'export {};\n' };
    SourceRepository.create(folder, 'trunk').commit('first', files);
    return { parameters: { location: folder }, files };
  },
  missing: (folder) => ({ location: folder }),
  unsafe: [
    { location: '-x' },
    { location: '--upload-pack=touch /tmp/pwned' },
    { location: 'ext::sh -c touch /tmp/pwned' },
    { location: 'fd::3' },
    { location: '/srv/app', branch: '--upload-pack=touch /tmp/pwned' },
    { location: '/srv/app', revision: '--output=/tmp/pwned' },
    { location: 42 },
  ],
});

describe('paasmaker.scm.git', () => {
  let dir: string;
  let cacheDirectory: string;
  let source: SourceRepository;
  let kernel: Kernel;
  let scm: ScmProvider;
  let logs: LogLine[];
  let workCount = 0;

  const call = (signal?: AbortSignal): ProviderCall => providerCall(kernel, signal);
  const workingDirectory = () => join(dir, `work-${++workCount}`);
  const mirrorFolder = (location: string) =>
    join(cacheDirectory, createHash('sha256').update(location).digest('hex'));
  const expectError = async (
    promise: Promise<unknown>,
    code: 'E_SCM_FAILED' | 'E_SCM_UNSAFE_INPUT' | 'E_PLUGIN_OPTIONS',
  ) => (await expectPaasmakerError(promise, code)).message;

  beforeEach(async () => {
    dir = await temporaryFolder('scm-git-test-');
    cacheDirectory = join(dir, 'cache');
    source = SourceRepository.create(join(dir, 'source'), 'trunk');
    logs = [];
    kernel = await throwawayKernel([{ plugin: gitScmPlugin, options: { cacheDirectory } }], {
      logger: pino({ level: 'debug' }, { write: (line: string) => logs.push(JSON.parse(line) as LogLine) }),
    });
    scm = kernel.provider('scm', GIT_SCM_NAME);
  });

  it("checks out the remote's default branch, without .git, and records the revision", async () => {
    const sha = source.commit('first', { 'app.js': 'console.log(1);\n', 'lib/util.js': 'export {};\n' });
    const target = workingDirectory();
    const result = await scm.checkout(
      { parameters: { location: source.directory }, workingDirectory: target },
      call(),
    );

    expect(result.revision).toBe(sha);
    expect(result.outputParameters).toEqual({
      location: source.directory,
      branch: 'trunk',
      toolVersion: git(dir, '--version').replace('git version ', ''),
    });
    expect(await readFile(join(target, 'app.js'), 'utf8')).toBe('console.log(1);\n');
    expect(await readFile(join(target, 'lib/util.js'), 'utf8')).toBe('export {};\n');
    expect((await readdir(target)).sort()).toEqual(['app.js', 'lib']);
    expect(existsSync(join(target, '.git'))).toBe(false);
    expect(await readdir(cacheDirectory)).toEqual([mirrorFolder(source.directory).split('/').pop()]);
  });

  it('checks out a named branch', async () => {
    source.commit('first', { 'a.txt': 'trunk\n' });
    source.switch('feature', true);
    const featureSha = source.commit('feature work', { 'a.txt': 'feature\n', 'b.txt': 'new\n' });
    source.switch('trunk');
    const target = workingDirectory();

    const result = await scm.checkout(
      { parameters: { location: source.directory, branch: 'feature' }, workingDirectory: target },
      call(),
    );

    expect(result.revision).toBe(featureSha);
    expect(result.outputParameters?.branch).toBe('feature');
    expect(await readFile(join(target, 'a.txt'), 'utf8')).toBe('feature\n');
    expect(existsSync(join(target, 'b.txt'))).toBe(true);
  });

  it('checks out a revision by full or abbreviated sha', async () => {
    const first = source.commit('first', { 'a.txt': 'one\n' });
    source.commit('second', { 'a.txt': 'two\n' });

    for (const revision of [first, first.slice(0, 10)]) {
      const target = workingDirectory();
      const result = await scm.checkout(
        { parameters: { location: source.directory, revision }, workingDirectory: target },
        call(),
      );
      expect(result.revision).toBe(first);
      expect(result.outputParameters?.branch).toBeUndefined();
      expect(await readFile(join(target, 'a.txt'), 'utf8')).toBe('one\n');
    }
  });

  it('reuses the mirror on the next checkout and fetches only the new commit', async () => {
    source.commit('first', { 'a.txt': 'one\n' });
    await scm.checkout(
      { parameters: { location: source.directory }, workingDirectory: workingDirectory() },
      call(),
    );
    const mirror = mirrorFolder(source.directory);
    const before = await stat(mirror);
    // A re-clone would replace the folder (a new inode) and lose this file.
    await writeFile(join(mirror, 'kept-by-fetch'), 'marker');

    const second = source.commit('second', { 'a.txt': 'two\n' });
    logs.length = 0;
    const target = workingDirectory();
    const result = await scm.checkout(
      { parameters: { location: source.directory }, workingDirectory: target },
      call(),
    );

    expect(result.revision).toBe(second);
    expect(await readFile(join(target, 'a.txt'), 'utf8')).toBe('two\n');
    expect((await stat(mirror)).ino).toBe(before.ino);
    expect(existsSync(join(mirror, 'kept-by-fetch'))).toBe(true);
    expect(logs.some((line) => line.msg === 'fetching changes into the existing mirror')).toBe(true);
    expect(logs.some((line) => line.msg === 'cloning a new mirror')).toBe(false);
  });

  it("follows a change of the remote's default branch", async () => {
    source.commit('first', { 'a.txt': 'trunk\n' });
    await scm.checkout(
      { parameters: { location: source.directory }, workingDirectory: workingDirectory() },
      call(),
    );
    source.switch('next', true);
    const nextSha = source.commit('next', { 'a.txt': 'next\n' });

    const result = await scm.checkout(
      { parameters: { location: source.directory }, workingDirectory: workingDirectory() },
      call(),
    );

    expect(result.revision).toBe(nextSha);
    expect(result.outputParameters?.branch).toBe('next');
  });

  it('serialises concurrent checkouts of one location', async () => {
    const sha = source.commit('first', { 'a.txt': 'one\n' });
    const results = await Promise.all(
      [1, 2, 3].map(() =>
        scm.checkout(
          { parameters: { location: source.directory }, workingDirectory: workingDirectory() },
          call(),
        ),
      ),
    );
    expect(results.map((result) => result.revision)).toEqual([sha, sha, sha]);
    expect(await readdir(cacheDirectory)).toHaveLength(1);
    expect(logs.filter((line) => line.msg === 'cloning a new mirror')).toHaveLength(1);
  });

  it('fails with E_SCM_FAILED naming an unknown branch or revision', async () => {
    source.commit('first', { 'a.txt': 'one\n' });
    const branchMessage = await expectError(
      scm.checkout(
        { parameters: { location: source.directory, branch: 'nope' }, workingDirectory: workingDirectory() },
        call(),
      ),
      'E_SCM_FAILED',
    );
    expect(branchMessage).toMatch(/branch "nope" not found .*\(branches: trunk\)/);
    const revisionMessage = await expectError(
      scm.checkout(
        {
          parameters: { location: source.directory, revision: 'deadbeef' },
          workingDirectory: workingDirectory(),
        },
        call(),
      ),
      'E_SCM_FAILED',
    );
    expect(revisionMessage).toMatch(/revision "deadbeef" not found/);
  });

  it("fails with E_SCM_FAILED carrying git's message for a location that is not a repository", async () => {
    const message = await expectError(
      scm.checkout(
        { parameters: { location: join(dir, 'missing') }, workingDirectory: workingDirectory() },
        call(),
      ),
      'E_SCM_FAILED',
    );
    expect(message).toMatch(/git clone failed: .*does not exist/);
    expect(await readdir(cacheDirectory)).toEqual([]);
  });

  it('refuses option-looking refs and locations and dangerous transports before running git', async () => {
    source.commit('first', { 'a.txt': 'one\n' });
    const pwned = join(dir, 'pwned');
    const attempts: JsonObject[] = [
      { location: source.directory, branch: `--upload-pack=touch ${pwned}` },
      { location: source.directory, revision: `--output=${pwned}` },
      { location: '-x' },
      { location: `--upload-pack=touch ${pwned}` },
      { location: `ext::sh -c touch% ${pwned}` },
      { location: 'ext::sh -c touch /tmp/x' },
      { location: 'fd::3' },
    ];
    for (const parameters of attempts) {
      const message = await expectError(
        scm.checkout({ parameters, workingDirectory: workingDirectory() }, call()),
        'E_SCM_UNSAFE_INPUT',
      );
      expect(message).toMatch(/^paasmaker\.scm\.git: /);
    }
    expect(existsSync(pwned)).toBe(false);
    expect(existsSync(cacheDirectory)).toBe(false);
  });

  it('kills git when the call is aborted, leaving no mirror behind', async () => {
    const server = await hangingGitServer();
    const controller = new AbortController();
    server.on('request', () => controller.abort(new Error('job aborted')));
    try {
      const location = `http://127.0.0.1:${port(server)}/app.git`;
      const message = await expectError(
        scm.checkout(
          { parameters: { location }, workingDirectory: workingDirectory() },
          call(controller.signal),
        ),
        'E_SCM_FAILED',
      );
      expect(message).toMatch(/git clone was stopped: job aborted/);
      expect(await readdir(cacheDirectory)).toEqual([]);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('validates options and parameters through the kernel', async () => {
    const message = await expectError(
      throwawayKernel([{ plugin: gitScmPlugin, options: {} }]),
      'E_PLUGIN_OPTIONS',
    );
    expect(message).toMatch(/paasmaker\.scm\.git: .*cacheDirectory/);

    const validate = new Ajv({ strict: true, allErrors: true }).compile(scm.parametersSchema ?? false);
    expect(validate({ location: 'https://example.com/app.git', branch: 'main' })).toBe(true);
    expect(validate({ branch: 'main' })).toBe(false);
    expect(validate({ location: 'x', bogus: 1 })).toBe(false);
    expect(validate({ location: 'x', revision: 7 })).toBe(false);

    await expectError(
      scm.checkout({ parameters: { location: 42 }, workingDirectory: workingDirectory() }, call()),
      'E_SCM_UNSAFE_INPUT',
    );
  });

  it("keeps its mirrors in the node's <dataFolder>/git-cache when not given a cacheDirectory", async () => {
    source.commit('first', { 'a.txt': 'one\n' });
    const dataFolder = join(dir, 'data');
    const inNode = await throwawayKernel([gitScmPlugin], { dataFolder });
    await inNode
      .provider('scm', GIT_SCM_NAME)
      .checkout({ parameters: { location: source.directory }, workingDirectory: workingDirectory() }, call());
    expect(await readdir(join(dataFolder, 'git-cache'))).toEqual([
      mirrorFolder(source.directory).split('/').pop(),
    ]);
  });
});

/** An HTTP server that accepts git's request and never answers it. */
async function hangingGitServer(): Promise<Server> {
  const server = createServer(() => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

function port(server: Server): number {
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}
