import { requireDriver } from '../../drivers/require-driver';
import { PaasmakerError, type PaasmakerErrorCode } from '../../kernel/errors';

/** What a script reports with a contract violation: `<code> <JSON details>`. */
interface ContractViolation {
  jobId: string;
  treeId?: string;
  parentId?: string;
  state?: string;
  reason?: string;
}

const contractErrorPattern = /^(E_JOB_[A-Z_]+) (\{.*\})/s;

/** The store's Redis cannot be reached (or failed in a way the caller cannot fix). */
export function jobStoreUnavailable(address: string, cause: unknown): PaasmakerError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new PaasmakerError('E_JOBS_UNAVAILABLE', `job store Redis at ${address} is unreachable: ${reason}`, {
    cause,
  });
}

function violationMessage(code: PaasmakerErrorCode, details: ContractViolation, address: string): string {
  const { jobId, treeId, parentId, state, reason } = details;
  switch (code) {
    case 'E_JOB_NOT_FOUND':
      return `job ${jobId} does not exist in the job store at ${address}; check the id (finished trees are pruned after a while)`;
    case 'E_JOB_FINISHED':
      return `cannot abort the tree of job ${jobId}: its root ${treeId} already finished (${state}), so nothing is left to abort`;
    case 'E_JOB_TREE_INVALID':
      return `job tree ${jobId} already exists in the job store at ${address}; give every new job a new id`;
    case 'E_JOB_GRAFT':
      if (reason === 'aborted') {
        return `cannot graft jobs under job ${jobId}: its tree ${treeId} was aborted; start a new tree instead`;
      }
      if (reason === 'parent-order') {
        return `cannot graft job ${jobId}: its parent ${parentId} is neither the graft's parent nor an earlier job of the graft; list grafted jobs parents first`;
      }
      return `cannot graft jobs under job ${jobId}: it is ${state}; graft only under a job that is NEW or WAITING (the running job's parent or an ancestor)`;
    default:
      return `job store Redis at ${address} refused an operation on job ${jobId}`;
  }
}

/**
 * Error replies of a server that cannot serve right now (loading, out of memory, busy with a
 * script, a read-only replica, auth...): the operator's to fix, like a lost connection.
 */
const serverStatePattern =
  /^(LOADING|OOM|BUSY|READONLY|MASTERDOWN|MISCONF|NOAUTH|NOPERM|WRONGPASS|CLUSTERDOWN|TRYAGAIN) /;

/** The store reached Redis, but the operation failed there or here: a bug, with its own code. */
export function jobStoreFailed(address: string, cause: unknown): PaasmakerError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new PaasmakerError(
    'E_JOBS_STORE_FAILED',
    `job store Redis at ${address} is reachable, but the operation failed: ${reason}`,
    { cause },
  );
}

/**
 * Turns anything a Redis call threw into a PaasmakerError: a script's contract violation into
 * its own code with a message naming the job; a script error, any other error reply and an
 * exception of the store's own code (a RangeError, say) into `E_JOBS_STORE_FAILED`, since
 * sending the operator to a server that is up would hide the bug; the rest (connection lost,
 * offline, server states such as LOADING or OOM) into `E_JOBS_UNAVAILABLE` naming the server.
 */
export function toJobStoreError(error: unknown, address: string): PaasmakerError {
  if (error instanceof PaasmakerError) return error;
  const match = error instanceof Error ? contractErrorPattern.exec(error.message) : null;
  if (match) {
    const code = match[1] as PaasmakerErrorCode;
    const details = JSON.parse(match[2] as string) as ContractViolation;
    return new PaasmakerError(code, violationMessage(code, details, address), { cause: error });
  }
  if (error instanceof requireDriver('ioredis', 'the Redis job store').ReplyError) {
    return serverStatePattern.test((error as Error).message)
      ? jobStoreUnavailable(address, error)
      : jobStoreFailed(address, error);
  }
  if (
    error instanceof RangeError ||
    error instanceof TypeError ||
    error instanceof SyntaxError ||
    error instanceof ReferenceError
  )
    return jobStoreFailed(address, error);
  return jobStoreUnavailable(address, error);
}
