import { Readable } from 'node:stream';
import type { ReadableStream } from 'node:stream/web';
import { fetchNodeLog } from '../../../jobs/logs/node-log-fetch';
import { PaasmakerError } from '../../../kernel/errors';
import type { ClusterNode } from '../../../model';
import type { InstanceLogChunk } from '../../heart/instance-log';
import { instanceLogPath } from '../../heart/instance-log-http';

type LogNode = Pick<ClusterNode, 'name' | 'route' | 'apiPort'>;

/** Where the heart node `node` serves an instance's log from byte `offset`. */
function instanceLogUrl(node: LogNode, instanceId: string, offset: number): URL {
  const host = node.route.includes(':') ? `[${node.route}]` : node.route;
  const url = new URL(`http://${host}:${node.apiPort}${instanceLogPath(instanceId)}`);
  url.searchParams.set('offset', String(offset));
  return url;
}

/**
 * Reads an instance's log from byte `offset` on the heart node that runs it, over HTTP with the
 * node token. `E_INSTANCE_NOT_FOUND` when the node has no such instance, `E_JOB_LOG_UNAVAILABLE`
 * when the node cannot be reached.
 */
export async function fetchRemoteInstanceLog(
  node: LogNode,
  instanceId: string,
  offset: number,
  nodeToken: string | undefined,
): Promise<InstanceLogChunk> {
  const fetched = await fetchNodeLog(
    instanceLogUrl(node, instanceId, offset),
    nodeToken,
    node.name,
    `the log of instance ${instanceId}`,
  );
  if (!fetched)
    throw new PaasmakerError(
      'E_INSTANCE_NOT_FOUND',
      `Node ${node.name} does not run instance ${instanceId}.`,
    );
  const next = Number(fetched.headers.get('x-next-offset'));
  return {
    text: fetched.text,
    next: Number.isSafeInteger(next) ? next : offset + Buffer.byteLength(fetched.text),
  };
}

/**
 * Follows an instance's log from byte `offset` on the heart node that runs it: its NDJSON lines
 * (`{"text","next"}`) as the log grows, until `signal` aborts or the node ends the stream (the
 * instance is gone). Errors as {@link fetchRemoteInstanceLog}'s, before the stream starts.
 */
export async function followRemoteInstanceLog(
  node: LogNode,
  instanceId: string,
  offset: number,
  nodeToken: string | undefined,
  signal: AbortSignal,
): Promise<Readable> {
  const url = instanceLogUrl(node, instanceId, offset);
  url.searchParams.set('follow', 'true');
  let response: Response;
  try {
    response = await fetch(url, {
      headers: nodeToken ? { authorization: `Bearer ${nodeToken}` } : {},
      signal,
    });
  } catch (error) {
    throw new PaasmakerError(
      'E_JOB_LOG_UNAVAILABLE',
      `Node ${node.name}, which has the log of instance ${instanceId}, cannot be reached.`,
      { cause: error },
    );
  }
  if (response.status === 404 || !response.ok || !response.body) {
    await response.body?.cancel();
    throw response.status === 404
      ? new PaasmakerError('E_INSTANCE_NOT_FOUND', `Node ${node.name} does not run instance ${instanceId}.`)
      : new PaasmakerError(
          'E_JOB_LOG_UNAVAILABLE',
          `Node ${node.name} answered ${response.status} when asked to follow the log of instance ${instanceId}.`,
        );
  }
  return Readable.fromWeb(response.body as ReadableStream<Uint8Array>);
}
