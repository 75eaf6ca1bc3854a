import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { PaasmakerError } from '../kernel/errors';
import type { FetcherProvider } from '../kernel/providers/package-pipeline-providers';
import { Sha256Counter } from './file-checksum';

/**
 * The default fetcher for `http:` and `https:` URLs: GETs the package with
 * `Authorization: Bearer <nodeToken>` (redirects are refused, so the token goes nowhere else),
 * streams it to a partial file beside `destination` while hashing, and renames it into place
 * only when the SHA-256 matches (`E_PACKAGE_CHECKSUM` otherwise, file removed). HTTP and network
 * failures are `E_PACKAGE_FETCH`; the call's signal aborts the download.
 */
export function createPackageFetcher(nodeToken: string): FetcherProvider {
  return {
    async fetch(request, call) {
      const partial = `${request.destination}.partial-${randomBytes(6).toString('hex')}`;
      const counter = new Sha256Counter();
      try {
        const response = await fetch(request.url, {
          headers: { authorization: `Bearer ${nodeToken}` },
          redirect: 'error',
          signal: call.signal,
        }).catch((error: unknown) => {
          throw call.signal.aborted
            ? error
            : fetchError(request.url, error instanceof Error ? error.message : String(error), error);
        });
        if (!response.ok || response.body === null) {
          await response.body?.cancel();
          throw fetchError(request.url, `HTTP ${response.status} ${response.statusText}`.trim());
        }
        await mkdir(path.dirname(request.destination), { recursive: true });
        await pipeline(
          Readable.fromWeb(response.body as WebReadableStream<Uint8Array>),
          counter,
          createWriteStream(partial, { mode: 0o600 }),
          { signal: call.signal },
        ).catch((error: unknown) => {
          throw call.signal.aborted
            ? error
            : fetchError(request.url, error instanceof Error ? error.message : String(error), error);
        });
        const checksum = counter.digest();
        if (checksum !== request.checksum) {
          throw new PaasmakerError(
            'E_PACKAGE_CHECKSUM',
            `package from ${request.url} has checksum ${checksum}, expected ${request.checksum}; it was discarded.`,
          );
        }
        await rename(partial, request.destination);
        call.log.info({ url: request.url, bytes: counter.bytes }, 'package fetched');
      } catch (error) {
        await rm(partial, { force: true });
        throw error;
      }
    },
  };
}

function fetchError(url: string, what: string, cause?: unknown): PaasmakerError {
  return new PaasmakerError('E_PACKAGE_FETCH', `cannot fetch package ${url}: ${what}.`, { cause });
}
