import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isPaasmakerError } from '@paasmaker/core';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runGit } from '../src/git-command';

// The location checks stop `ext::` first; this shows git itself refuses it too, through the
// GIT_ALLOW_PROTOCOL every git command runs with (the case of a URL reaching git another way).
describe('runGit environment', () => {
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'scm-git-command-'));
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('makes git refuse the ext:: transport', async () => {
    const pwned = join(dir, 'pwned');
    const error = await runGit(['clone', '--', `ext::sh -c touch% ${pwned}`, join(dir, 'clone')], {
      gitBinary: 'git',
      signal: new AbortController().signal,
      log: pino({ enabled: false }),
      action: 'clone',
    }).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(isPaasmakerError(error) && error.code).toBe('E_SCM_FAILED');
    expect(String((error as Error).message)).toMatch(/transport 'ext' not allowed/);
    expect(existsSync(pwned)).toBe(false);
  });

  it('reports a missing git binary', async () => {
    const error = await runGit(['--version'], {
      gitBinary: join(dir, 'no-such-git'),
      signal: new AbortController().signal,
      log: pino({ enabled: false }),
      action: 'version',
    }).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(isPaasmakerError(error) && error.code).toBe('E_SCM_FAILED');
    expect(String((error as Error).message)).toMatch(/could not run .*gitBinary/);
  });
});
