import { resolve } from 'node:path';
import { isPaasmakerError } from '@paasmaker/core';
import { describe, expect, it } from 'vitest';
import { checkGitLocation, checkGitRefName } from '../src/index';

function unsafeMessage(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (isPaasmakerError(error) && error.code === 'E_SCM_UNSAFE_INPUT') return error.message;
    throw error;
  }
  throw new Error('expected E_SCM_UNSAFE_INPUT');
}

describe('checkGitLocation', () => {
  it.each([
    ['https://github.com/acme/app.git', 'url'],
    ['http://git.example/app', 'url'],
    ['ssh://git@example.com:2222/acme/app.git', 'url'],
    ['git://example.com/app.git', 'url'],
    ['file:///srv/repos/app', 'url'],
    ['git@github.com:acme/app.git', 'scp'],
    ['example.com:repos/app', 'scp'],
  ] as const)('accepts %s as %s', (location, kind) => {
    expect(checkGitLocation(location)).toEqual({ kind, location });
  });

  it('makes local paths absolute', () => {
    expect(checkGitLocation('/srv/app')).toEqual({ kind: 'path', location: '/srv/app' });
    expect(checkGitLocation('./app')).toEqual({ kind: 'path', location: resolve('app') });
    expect(checkGitLocation('repos/app')).toEqual({ kind: 'path', location: resolve('repos/app') });
  });

  it.each([
    ['-x', /starts with "-"/],
    ['--upload-pack=touch /tmp/pwned', /starts with "-"/],
    ['ext::sh -c touch /tmp/x', /<transport>::<address>/],
    ['fd::7', /<transport>::<address>/],
    ['foo+bar::whatever', /<transport>::<address>/],
    ['ftp://example.com/app.git', /URL scheme "ftp"/],
    ['ssh://-oProxyCommand=touch/app', /host or user that starts with "-"/],
    ['host:-oProxyCommand', /user@host:path/],
    ['-host:path', /starts with "-"/],
    ['/srv/app\nfoo', /control characters/],
    ['', /empty/],
  ])('refuses %j', (location, message) => {
    expect(unsafeMessage(() => checkGitLocation(location))).toMatch(message);
  });
});

describe('checkGitRefName', () => {
  it.each(['main', 'feature/login', 'v1.2.3', 'HEAD', 'a1b2c3d', 'e5c92ca4b173989763a7aace0d76c532903a2093'])(
    'accepts %s',
    (name) => {
      expect(checkGitRefName(name, 'revision')).toBe(name);
    },
  );

  it.each([
    ['--upload-pack=touch /tmp/x', /starts with "-"/],
    ['-x', /starts with "-"/],
    ['a..b', /".."/],
    ['main~1', /one of/],
    ['a b', /one of/],
    ['@', /"@"/],
    ['x@{1}', /"@\{"/],
    ['/main', /"\/"/],
    ['a//b', /"\/\/"/],
    ['main.', /ends with "."/],
    ['.hidden', /starts with "."/],
    ['refs/x.lock', /\.lock/],
    ['', /empty/],
  ])('refuses %j', (name, message) => {
    expect(unsafeMessage(() => checkGitRefName(name, 'branch'))).toMatch(message);
  });
});
