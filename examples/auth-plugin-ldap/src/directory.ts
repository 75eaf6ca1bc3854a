import { type Entry, InvalidCredentialsError, Client as LdapClient, SizeLimitExceededError } from 'ldapts';
import { userFilter } from './ldap-filter';

/** How to reach the directory and find people in it. */
export interface DirectorySettings {
  url: string;
  bindDn: string;
  bindPassword: string;
  baseDn: string;
  userFilter: string;
  timeoutMs: number;
  loginAttribute: string;
  emailAttribute: string;
  nameAttribute: string;
}

/** A person as the directory describes them. */
export interface DirectoryPerson {
  dn: string;
  login: string;
  email: string | undefined;
  name: string | undefined;
}

/** What the directory said about a username and password. */
export type DirectoryVerdict =
  | { kind: 'unknown' }
  | { kind: 'ambiguous' }
  | { kind: 'wrong-password'; person: DirectoryPerson }
  | { kind: 'verified'; person: DirectoryPerson };

function firstString(entry: Entry, attribute: string): string | undefined {
  // Attribute names are case-insensitive in LDAP; ldapts keeps the server's spelling.
  const key = Object.keys(entry).find((name) => name.toLowerCase() === attribute.toLowerCase());
  const value = key === undefined ? undefined : entry[key];
  const first = Array.isArray(value) ? value[0] : value;
  if (first === undefined) return undefined;
  const text = typeof first === 'string' ? first : first.toString('utf8');
  return text.trim() === '' ? undefined : text;
}

/**
 * Looks `username` up as the service account, then binds as the entry found with `password`.
 * Throws when the directory cannot be reached or answers with anything but a verdict; every
 * connection and operation is bounded by `timeoutMs`.
 */
export async function askDirectory(
  settings: DirectorySettings,
  username: string,
  password: string,
): Promise<DirectoryVerdict> {
  const client = new LdapClient({
    url: settings.url,
    timeout: settings.timeoutMs,
    connectTimeout: settings.timeoutMs,
  });
  try {
    await client.bind(settings.bindDn, settings.bindPassword);
    let entries: Entry[];
    try {
      ({ searchEntries: entries } = await client.search(settings.baseDn, {
        scope: 'sub',
        filter: userFilter(settings.userFilter, username),
        sizeLimit: 2,
        timeLimit: Math.max(1, Math.ceil(settings.timeoutMs / 1000)),
        attributes: [settings.loginAttribute, settings.emailAttribute, settings.nameAttribute],
      }));
    } catch (error) {
      if (error instanceof SizeLimitExceededError) return { kind: 'ambiguous' };
      throw error;
    }
    const [entry] = entries;
    if (entry === undefined) return { kind: 'unknown' };
    if (entries.length > 1) return { kind: 'ambiguous' };
    const person: DirectoryPerson = {
      dn: entry.dn,
      login: firstString(entry, settings.loginAttribute) ?? username,
      email: firstString(entry, settings.emailAttribute),
      name: firstString(entry, settings.nameAttribute),
    };
    // An empty password would make a simple bind "unauthenticated" (RFC 4513 5.1.2), which many
    // servers accept as anonymous: never send one.
    if (password === '') return { kind: 'wrong-password', person };
    try {
      await client.bind(entry.dn, password);
    } catch (error) {
      if (error instanceof InvalidCredentialsError) return { kind: 'wrong-password', person };
      throw error;
    }
    return { kind: 'verified', person };
  } finally {
    await client.unbind().catch(() => undefined);
  }
}
