import type { PacemakerHttp } from '@paasmaker/core';
import type { ConsoleAsset } from './console-assets';

/**
 * The page's Content-Security-Policy: scripts, styles and connections (the API and its job stream
 * websocket) from the pacemaker only, and never inside another site's frame.
 */
export const CONSOLE_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
  "frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

/**
 * Serves the console's files on the pacemaker's HTTP server: `/` and each built asset, one route
 * per file (no wildcard, so unknown paths keep the API's JSON 404).
 */
export function mountConsole(http: Pick<PacemakerHttp, 'server'>, assets: readonly ConsoleAsset[]): void {
  for (const asset of assets) {
    http.server.get(asset.urlPath, async (_request, reply) => {
      reply
        .type(asset.contentType)
        .header('x-content-type-options', 'nosniff')
        .header('referrer-policy', 'no-referrer')
        .header('cache-control', asset.immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
      if (asset.urlPath === '/')
        reply.header('content-security-policy', CONSOLE_CSP).header('x-frame-options', 'DENY');
      return reply.send(asset.body);
    });
  }
}
