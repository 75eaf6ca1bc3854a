import { isAbsolute, resolve } from 'node:path';
import { PaasmakerError } from '@paasmaker/core';

/** URL schemes a location may use; the same list is given to git as `GIT_ALLOW_PROTOCOL`. */
export const ALLOWED_URL_SCHEMES = ['http', 'https', 'ssh', 'git', 'file'] as const;

/** What kind of location a checked location is. */
export type GitLocationKind = 'url' | 'scp' | 'path';

/** A location that passed {@link checkGitLocation}. */
export interface CheckedGitLocation {
  /** How git will read it. */
  kind: GitLocationKind;
  /** What is handed to git: the URL or scp-like address as given, a local path made absolute. */
  location: string;
}

// git's own test for `<transport>::<address>` (transport.c, is_urlschemechar): a letter, then
// letters, digits, `+`, `.` or `-`. Anything of that shape runs a remote helper: refused.
const TRANSPORT_PREFIX = /^[A-Za-z][A-Za-z0-9+.-]*::/;
const URL_FORM = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//;
// `[user@]host:path` with no slash before the colon, as git reads it; the host is a plain name,
// an IPv4 address or a bracketed IPv6 address, and neither user nor host may look like an option.
const SCP_FORM =
  /^(?:([A-Za-z0-9._~+][A-Za-z0-9._~+-]*)@)?([A-Za-z0-9][A-Za-z0-9.-]*|\[[0-9A-Fa-f:.]+\]):(.+)$/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it finds
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;

function unsafe(message: string): PaasmakerError {
  return new PaasmakerError('E_SCM_UNSAFE_INPUT', `paasmaker.scm.git: ${message}`);
}

/**
 * Checks a repository location before git sees it. Accepts a local path (absolute or relative,
 * made absolute against the current directory), a URL whose scheme is in
 * {@link ALLOWED_URL_SCHEMES}, or an scp-like `user@host:path`. Refuses, with
 * `E_SCM_UNSAFE_INPUT`, anything that starts with `-` (git would take it as an option), any
 * `<transport>::<address>` form (`ext::`, `fd::`, remote helpers), other URL schemes and control
 * characters.
 */
export function checkGitLocation(location: string): CheckedGitLocation {
  if (location.length === 0) throw unsafe('the location is empty; give a repository path or URL.');
  if (CONTROL_CHARACTERS.test(location)) {
    throw unsafe(`the location ${JSON.stringify(location)} contains control characters.`);
  }
  if (location.startsWith('-')) {
    throw unsafe(
      `the location ${JSON.stringify(location)} starts with "-" and could be taken as a git option; ` +
        'write a local path as ./<path> or give a URL.',
    );
  }
  const url = URL_FORM.exec(location);
  if (url) return { kind: 'url', location: checkUrl(location, (url[1] ?? '').toLowerCase()) };
  if (TRANSPORT_PREFIX.test(location)) {
    throw unsafe(
      `the location ${JSON.stringify(location)} uses git's "<transport>::<address>" form, which runs ` +
        `a remote helper (e.g. ext:: runs a command); use a URL with scheme ${ALLOWED_URL_SCHEMES.join(', ')}, ` +
        'user@host:path, or a local path.',
    );
  }
  const firstSlash = location.indexOf('/');
  const firstColon = location.indexOf(':');
  const looksScp = firstColon > 0 && (firstSlash === -1 || firstColon < firstSlash);
  if (looksScp && !isAbsolute(location)) {
    const scp = SCP_FORM.exec(location);
    if (!scp || (scp[3] ?? '').startsWith('-')) {
      throw unsafe(
        `the location ${JSON.stringify(location)} is read by git as host:path but is not a valid ` +
          'user@host:path address; write a local path as ./<path>.',
      );
    }
    return { kind: 'scp', location };
  }
  return { kind: 'path', location: resolve(location) };
}

function checkUrl(location: string, scheme: string): string {
  if (!(ALLOWED_URL_SCHEMES as readonly string[]).includes(scheme)) {
    throw unsafe(
      `the location ${JSON.stringify(location)} uses the URL scheme "${scheme}"; ` +
        `allowed: ${ALLOWED_URL_SCHEMES.join(', ')}.`,
    );
  }
  let parsed: URL;
  try {
    parsed = new URL(location);
  } catch (error) {
    throw new PaasmakerError(
      'E_SCM_UNSAFE_INPUT',
      `paasmaker.scm.git: the location ${JSON.stringify(location)} is not a valid URL.`,
      { cause: error },
    );
  }
  if (parsed.hostname.startsWith('-') || decodeURIComponent(parsed.username).startsWith('-')) {
    throw unsafe(`the location ${JSON.stringify(location)} has a host or user that starts with "-".`);
  }
  return location;
}

const HEX_SHA = /^[0-9a-fA-F]{4,64}$/;

/**
 * Checks a branch or revision before git sees it: it must not start with `-`, and must be a hex
 * object id or a name that `git check-ref-format --allow-onelevel` accepts. Refuses with
 * `E_SCM_UNSAFE_INPUT` otherwise. `what` names the parameter in the message.
 */
export function checkGitRefName(value: string, what: 'branch' | 'revision'): string {
  if (value.startsWith('-')) {
    throw unsafe(
      `the ${what} ${JSON.stringify(value)} starts with "-" and could be taken as a git option; ` +
        `give a ${what === 'branch' ? 'branch name' : 'commit id, tag or branch name'}.`,
    );
  }
  if (HEX_SHA.test(value)) return value;
  const problem = refFormatProblem(value);
  if (problem !== undefined) {
    throw unsafe(`the ${what} ${JSON.stringify(value)} is not a valid git ref name: ${problem}.`);
  }
  return value;
}

/** The first rule of `git check-ref-format --allow-onelevel` that `name` breaks, if any. */
function refFormatProblem(name: string): string | undefined {
  if (name.length === 0) return 'it is empty';
  if (name === '@') return 'it is "@"';
  if (CONTROL_CHARACTERS.test(name)) return 'it contains control characters';
  if (/[ ~^:?*[\\]/.test(name)) return 'it contains one of: space ~ ^ : ? * [ \\';
  if (name.includes('..')) return 'it contains ".."';
  if (name.includes('@{')) return 'it contains "@{"';
  if (name.startsWith('/') || name.endsWith('/') || name.includes('//')) {
    return 'it starts or ends with "/" or contains "//"';
  }
  if (name.endsWith('.')) return 'it ends with "."';
  for (const component of name.split('/')) {
    if (component.startsWith('.')) return 'a component starts with "."';
    if (component.endsWith('.lock')) return 'a component ends with ".lock"';
  }
  return undefined;
}
