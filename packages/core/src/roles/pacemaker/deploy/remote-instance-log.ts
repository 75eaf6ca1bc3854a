import { PaasmakerError } from '../../../kernel/errors';
import type { ClusterNode } from '../../../model';
import type { InstanceLogChunk } from '../../heart/instance-log';
import { instanceLogPath } from '../../heart/instance-log-http';

const FETCH_TIMEOUT_MS = 10_000;

/**
 * Reads an instance's log from byte `offset` on the heart node that runs it, over HTTP with the
 * node token. `E_INSTANCE_NOT_FOUND` when the node has no such instance, `E_JOB_LOG_UNAVAILABLE`
 * when the node cannot be reached.
 */
export async function fetchRemoteInstanceLog(
  node: Pick<ClusterNode, 'name' | 'route' | 'apiPort'>,
  instanceId: string,
  offset: number,
  nodeToken: string | undefined,
): Promise<InstanceLogChunk> {
  const host = node.route.includes(':') ? `[${node.route}]` : node.route;
  const url = new URL(`http://${host}:${node.apiPort}${instanceLogPath(instanceId)}`);
  url.searchParams.set('offset', String(offset));
  let response: Response;
  try {
    response = await fetch(url, {
      headers: nodeToken ? { authorization: `Bearer ${nodeToken}` } : {},
      signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
    });
  } catch (error) {
    throw new PaasmakerError(
      'E_JOB_LOG_UNAVAILABLE',
      `Node ${node.name}, which runs instance ${instanceId}, cannot be reached for its log.`,
      { cause: error },
    );
  }
  const text = await response.text();
  if (response.status === 404)
    throw new PaasmakerError(
      'E_INSTANCE_NOT_FOUND',
      `Node ${node.name} does not run instance ${instanceId}.`,
    );
  if (!response.ok)
    throw new PaasmakerError(
      'E_JOB_LOG_UNAVAILABLE',
      `Node ${node.name} answered ${response.status} when asked for the log of instance ${instanceId}.`,
    );
  const next = Number(response.headers.get('x-next-offset'));
  return { text, next: Number.isSafeInteger(next) ? next : offset + Buffer.byteLength(text) };
}
