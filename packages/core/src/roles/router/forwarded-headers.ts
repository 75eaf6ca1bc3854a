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

/**
 * Copies `headers` without hop-by-hop headers and without any header the `Connection` header
 * names. With `keepUpgrade`, `Connection: upgrade` and `Upgrade` are kept (websocket handshakes).
 */
export function withoutHopByHop(headers: IncomingHttpHeaders, keepUpgrade = false): OutgoingHttpHeaders {
  const named = new Set(
    String(headers.connection ?? '')
      .split(',')
      .map((token) => token.trim().toLowerCase())
      .filter((token) => token !== ''),
  );
  const out: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    const kept = keepUpgrade && name === 'upgrade';
    if (!kept && (HOP_BY_HOP.has(name) || named.has(name))) continue;
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
