import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SecretMasker } from '../../jobs/logs/secret-masker';
import type { Heart } from './heart-types';
import { readInstanceLog } from './instance-log';

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
 * run. Returns false for any other request.
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
    const offset = Number(url.searchParams.get('offset') ?? 0);
    readInstanceLog(file, Number.isSafeInteger(offset) && offset >= 0 ? offset : 0, secrets).then(
      ({ text, next }) =>
        response
          .writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'x-next-offset': String(next) })
          .end(text),
      () => response.writeHead(500).end(),
    );
    return true;
  };
}
