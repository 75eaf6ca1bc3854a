// @ts-check

/**
 * Writes one progress line to stderr, so the command's own stdout stays clean.
 * @param {string} message
 */
export function logProgress(message) {
  process.stderr.write(`[test-servers] ${message}\n`);
}

/** @param {number} startedAt a `performance.now()` reading */
export function secondsSince(startedAt) {
  return `${((performance.now() - startedAt) / 1000).toFixed(1)} s`;
}
