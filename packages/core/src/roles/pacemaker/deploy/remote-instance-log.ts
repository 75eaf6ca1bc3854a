import { fetchNodeLog } from '../../../jobs/logs/node-log-fetch';
import { PaasmakerError } from '../../../kernel/errors';
import type { ClusterNode } from '../../../model';
import type { InstanceLogChunk } from '../../heart/instance-log';
import { instanceLogPath } from '../../heart/instance-log-http';

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
  const fetched = await fetchNodeLog(url, nodeToken, node.name, `the log of instance ${instanceId}`);
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
