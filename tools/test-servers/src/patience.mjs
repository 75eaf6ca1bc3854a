// @ts-check
/**
 * How much slower than a quiet 2-core machine the tests may run: `PAASMAKER_TEST_PATIENCE`
 * (a factor, default 1). Every timeout in the tests is a base figure times this factor, so a slow
 * or busy runner raises one setting instead of a hundred numbers.
 */
export const patienceFactor = readFactor(process.env.PAASMAKER_TEST_PATIENCE);

/** `ms` scaled by the patience factor: use it for every timeout a test sets. */
export function patient(/** @type {number} */ ms) {
  return Math.round(ms * patienceFactor);
}

/** @param {string | undefined} text */
function readFactor(text) {
  if (text === undefined || text === '') return 1;
  const factor = Number(text);
  if (!Number.isFinite(factor) || factor < 1) {
    throw new Error(`PAASMAKER_TEST_PATIENCE must be a number of at least 1 (got "${text}")`);
  }
  return factor;
}
