import { SecretMasker } from '../jobs/logs/secret-masker';
import type { NodeConfig } from './node-config-schema';

// A key whose string value is a credential by its name (a plugin's `password`, `apiToken`, ...).
const SECRET_KEY = /password|secret|token|credential|private.?key/i;
// Only strings that look like a URL with a user part are parsed.
const URL_WITH_USER = /^[a-z][a-z0-9+.-]*:\/\/[^/?#\s]*@/i;

/**
 * The secrets a node's config holds, to keep out of the logs tenant code can write into: the
 * super and node tokens, the password of every URL with one (databases, Redis, a plugin's admin
 * URL), every string under a key named like a credential (`password`, `token`, `secret`), in the
 * roles and in plugin options alike, and every value a `${env:NAME}` reference put in.
 */
export function nodeConfigSecrets(config: NodeConfig): string[] {
  const found = new Set<string>(config.environmentValues ?? []);
  const visit = (value: unknown, key: string): void => {
    if (typeof value === 'string') {
      if (SECRET_KEY.test(key)) found.add(value);
      for (const password of urlPasswords(value)) found.add(password);
    } else if (Array.isArray(value)) {
      for (const item of value) visit(item, key);
    } else if (value !== null && typeof value === 'object') {
      for (const [name, item] of Object.entries(value)) visit(item, name);
    }
  };
  visit(config.roles, '');
  for (const entry of config.plugins) visit(entry.options, '');
  return [...found];
}

/** A masker of {@link nodeConfigSecrets}. */
export function nodeLogSecrets(config: NodeConfig): SecretMasker {
  return new SecretMasker(nodeConfigSecrets(config));
}

/** The password of a URL with one, as written (percent-encoded) and decoded. */
function urlPasswords(text: string): string[] {
  if (!URL_WITH_USER.test(text)) return [];
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return [];
  }
  if (!url.password) return [];
  try {
    return [url.password, decodeURIComponent(url.password)];
  } catch {
    return [url.password];
  }
}
