import { isPaasmakerError, type PaasmakerError, type PaasmakerErrorCode } from '@paasmaker/core';
import { expect } from 'vitest';

/**
 * Awaits `promise`, expects it to reject with a `PaasmakerError` of `code`, and returns that
 * error for further checks (its message).
 */
export async function expectPaasmakerError(
  promise: Promise<unknown>,
  code: PaasmakerErrorCode,
): Promise<PaasmakerError> {
  const outcome = await promise.then(
    (value: unknown) => ({ resolved: value }),
    (error: unknown) => ({ rejected: error }),
  );
  if (!('rejected' in outcome)) return expect.unreachable(`expected ${code}, but it resolved`);
  const error = outcome.rejected;
  if (!isPaasmakerError(error)) {
    return expect.unreachable(`expected a PaasmakerError ${code}, got ${String(error)}`);
  }
  expect(error.code, error.message).toBe(code);
  return error;
}
