import { PaasmakerError } from '../../kernel/errors';

const FETCH_TIMEOUT_MS = 10_000;

/** A log another node answered with. */
export interface FetchedNodeLog {
  text: string;
  headers: Headers;
}

/**
 * GETs a log from another node's job stream server with the node token. Resolves with the log,
 * or undefined when the node answers 404; `E_JOB_LOG_UNAVAILABLE` naming `what` (e.g. "the log
 * of job …") when the node cannot be reached or answers anything else.
 */
export async function fetchNodeLog(
  url: URL,
  token: string | undefined,
  node: string,
  what: string,
): Promise<FetchedNodeLog | undefined> {
  let response: Response;
  try {
    response = await fetch(url, {
      headers: token ? { authorization: `Bearer ${token}` } : {},
      signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
    });
  } catch (error) {
    throw new PaasmakerError('E_JOB_LOG_UNAVAILABLE', `Node ${node}, which has ${what}, cannot be reached.`, {
      cause: error,
    });
  }
  const text = await response.text();
  if (response.status === 404) return undefined;
  if (!response.ok)
    throw new PaasmakerError(
      'E_JOB_LOG_UNAVAILABLE',
      `Node ${node} answered ${response.status} when asked for ${what}.`,
    );
  return { text, headers: response.headers };
}
