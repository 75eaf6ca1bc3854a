/**
 * Turns a `Host` header into the hostname the table is keyed by: lower-cased, `:port` removed,
 * one trailing dot removed (`foo.com.` is `foo.com`). Bracketed IPv6 literals keep their brackets.
 */
export function normaliseHost(hostHeader: string): string {
  let host = hostHeader.trim().toLowerCase();
  if (host.startsWith('[')) {
    const end = host.indexOf(']');
    return end === -1 ? host : host.slice(0, end + 1);
  }
  const colon = host.indexOf(':');
  if (colon !== -1) host = host.slice(0, colon);
  if (host.endsWith('.')) host = host.slice(0, -1);
  return host;
}

/**
 * The table keys tried for a hostname, in order: the hostname itself, then one wildcard level
 * (`baz.bar.foo.com` tries `*.bar.foo.com` only, never `*.foo.com`).
 */
export function hostnameCandidates(hostname: string): string[] {
  const dot = hostname.indexOf('.');
  if (dot <= 0 || hostname.startsWith('[') || dot === hostname.length - 1) return [hostname];
  return [hostname, `*.${hostname.slice(dot + 1)}`];
}

const LABEL = /^[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?$/;

/**
 * Checks and lower-cases a hostname given to the routing table: DNS labels, optionally led by one
 * `*.` wildcard label (`*.foo.com`). Throws a `TypeError` for anything else (a caller's bug).
 */
export function tableHostname(hostname: string): string {
  const lower = hostname.trim().toLowerCase().replace(/\.$/, '');
  const labels = lower.split('.');
  const valid =
    lower.length > 0 &&
    lower.length <= 253 &&
    labels.every((label, index) => (index === 0 && label === '*' && labels.length > 1) || LABEL.test(label));
  if (!valid) throw new TypeError(`Not a routable hostname: ${JSON.stringify(hostname)}`);
  return lower;
}
