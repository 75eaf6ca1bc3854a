import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import type { SecretMasker } from '../../jobs/logs/secret-masker';
import type { Heart } from './heart-types';
import { readInstanceLog } from './instance-log';
import { followInstanceLog, instanceLogLines } from './instance-log-follow';

const LOG_PATH =
  /^\/instances\/([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})\/log$/;

/** The path a heart node serves an instance's log at (`?offset=<bytes>` reads from there). */
export function instanceLogPath(instanceId: string): string {
  return `/instances/${instanceId}/log`;
}

/**
 * Serves `GET /instances/<id>/log?offset=<n>` for the instances of `heart`, on the node's job
 * stream server (which checks the node token first): the text from `offset`, `secrets` masked,
 * with the offset to ask for next in `x-next-offset`; 404 for an instance this heart does not
 * run. With `follow=true`, NDJSON lines `{"text","next"}` as the log grows, until the client
 * leaves or the instance is gone. Returns false for any other request.
 */
export function instanceLogRequestHandler(heart: Pick<Heart, 'instance'>, secrets: SecretMasker) {
  return (request: IncomingMessage, response: ServerResponse): boolean => {
    const url = new URL(request.url ?? '/', 'http://node');
    const instanceId = LOG_PATH.exec(url.pathname)?.[1]?.toLowerCase();
    if (request.method !== 'GET' || !instanceId) return false;
    const file = heart.instance(instanceId)?.logFile;
    if (!file) {
      response
        .writeHead(404, { 'content-type': 'text/plain; charset=utf-8' })
        .end(`No instance ${instanceId} here.\n`);
      return true;
    }
    const asked = Number(url.searchParams.get('offset') ?? 0);
    const offset = Number.isSafeInteger(asked) && asked >= 0 ? asked : 0;
    if (url.searchParams.get('follow') === 'true') {
      const left = new AbortController();
      response.on('close', () => left.abort());
      const chunks = followInstanceLog(file, offset, secrets, {
        signal: left.signal,
        running: () => heart.instance(instanceId) !== undefined,
      });
      response.writeHead(200, { 'content-type': 'application/x-ndjson; charset=utf-8' });
      Readable.from(instanceLogLines(chunks)).pipe(response);
      return true;
    }
    readInstanceLog(file, offset, secrets).then(
      ({ text, next }) =>
        response
          .writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'x-next-offset': String(next) })
          .end(text),
      () => response.writeHead(500).end(),
    );
    return true;
  };
}
