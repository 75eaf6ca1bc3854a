const ESCAPED: Record<string, string> = { '*': '\\2a', '(': '\\28', ')': '\\29', '\\': '\\5c', '\0': '\\00' };

/**
 * Escapes a value for use inside an LDAP search filter (RFC 4515, section 3): the characters
 * that have a meaning in filter syntax — `*`, `(`, `)`, `\` and NUL — become `\2a`, `\28`,
 * `\29`, `\5c` and `\00`, so a username can only ever be compared literally.
 */
export function escapeFilterValue(value: string): string {
  return Array.from(value, (char) => ESCAPED[char] ?? char).join('');
}

/** The `{username}` placeholder of a user filter. */
export const USERNAME_PLACEHOLDER = '{username}';

/**
 * The search filter for `username`: `template` with every `{username}` replaced by the escaped
 * username (split/join, so `$` patterns of `String.replace` cannot apply either).
 */
export function userFilter(template: string, username: string): string {
  return template.split(USERNAME_PLACEHOLDER).join(escapeFilterValue(username));
}
