import type { IncomingHttpHeaders, IncomingMessage, OutgoingHttpHeaders } from 'node:http';
import type { TLSSocket } from 'node:tls';

/** Headers that describe one connection, not the message; a proxy never forwards them (RFC 9110 §7.6.1). */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

/** The header names a `Connection` header lists (lower-cased), or `null` when it lists none. */
function connectionNamed(connection: string | undefined): Set<string> | null {
  if (connection === undefined) return null;
  // The usual values name no header beyond the hop-by-hop ones: skip building a set.
  const usual = connection.toLowerCase();
  if (usual === 'keep-alive' || usual === 'close') return null;
  const named = new Set<string>();
  for (const token of connection.split(',')) {
    const name = token.trim().toLowerCase();
    if (name !== '') named.add(name);
  }
  return named;
}

/**
 * Copies `headers` without hop-by-hop headers and without any header the `Connection` header
 * names. With `keepUpgrade`, `Connection: upgrade` and `Upgrade` are kept (websocket handshakes).
 */
export function withoutHopByHop(headers: IncomingHttpHeaders, keepUpgrade = false): OutgoingHttpHeaders {
  const named = connectionNamed(headers.connection);
  const out: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    const kept = keepUpgrade && name === 'upgrade';
    if (!kept && (HOP_BY_HOP.has(name) || named?.has(name))) continue;
    out[name] = value;
  }
  if (keepUpgrade && headers.upgrade !== undefined) out.connection = 'upgrade';
  return out;
}

/**
 * The headers sent to a backend for `request`: hop-by-hop headers removed, `Host` kept as the
 * client sent it, `X-Forwarded-For` appended to, `X-Forwarded-Host`, `-Port` (the port the
 * client connected to) and `-Proto` (`https` on a TLS socket, else `http`) set.
 */
export function upstreamHeaders(request: IncomingMessage, keepUpgrade = false): OutgoingHttpHeaders {
  const headers = withoutHopByHop(request.headers, keepUpgrade);
  const client = request.socket.remoteAddress ?? '';
  const prior = request.headers['x-forwarded-for'];
  headers['x-forwarded-for'] = prior ? `${prior}, ${client}` : client;
  headers['x-forwarded-host'] = request.headers.host ?? '';
  headers['x-forwarded-port'] = String(request.socket.localPort ?? '');
  headers['x-forwarded-proto'] = (request.socket as TLSSocket).encrypted ? 'https' : 'http';
  return headers;
}

/** Headers the router sets itself on the way to a backend; a client's own are replaced (`-For` is appended to). */
const FORWARDED = new Set(['x-forwarded-for', 'x-forwarded-host', 'x-forwarded-port', 'x-forwarded-proto']);

/**
 * {@link upstreamHeaders} for plain HTTP requests as a flat `[name, value, …]` list built in one
 * pass over `rawHeaders`: names keep the client's case and order, repeated headers stay repeated
 * (only a repeated `Host` is dropped: the first one routed the request). Node writes such a list
 * as it is, without the per-header `setHeader` an object costs.
 */
export function upstreamRawHeaders(request: IncomingMessage): string[] {
  const raw = request.rawHeaders;
  const named = connectionNamed(request.headers.connection);
  const out: string[] = [];
  let hostSeen = false;
  for (let index = 0; index < raw.length; index += 2) {
    const name = raw[index] as string;
    const lower = name.toLowerCase();
    if (HOP_BY_HOP.has(lower) || FORWARDED.has(lower) || named?.has(lower)) continue;
    if (lower === 'host') {
      if (hostSeen) continue;
      hostSeen = true;
    }
    out.push(name, raw[index + 1] as string);
  }
  const socket = request.socket;
  const client = socket.remoteAddress ?? '';
  const prior = request.headers['x-forwarded-for'];
  out.push(
    'x-forwarded-for',
    prior ? `${prior}, ${client}` : client,
    'x-forwarded-host',
    request.headers.host ?? '',
    'x-forwarded-port',
    String(socket.localPort ?? ''),
    'x-forwarded-proto',
    (socket as TLSSocket).encrypted ? 'https' : 'http',
  );
  return out;
}

/**
 * A backend's response headers for the client as a flat `[name, value, …]` list: `rawHeaders`
 * without hop-by-hop headers and without those its `Connection` header names.
 */
export function responseRawHeaders(response: IncomingMessage): string[] {
  const raw = response.rawHeaders;
  const named = connectionNamed(response.headers.connection);
  const out: string[] = [];
  for (let index = 0; index < raw.length; index += 2) {
    const name = raw[index] as string;
    const lower = name.toLowerCase();
    if (HOP_BY_HOP.has(lower) || named?.has(lower)) continue;
    out.push(name, raw[index + 1] as string);
  }
  return out;
}
