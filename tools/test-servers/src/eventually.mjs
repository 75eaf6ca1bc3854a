// @ts-check
import { vi } from 'vitest';
import { patient } from './patience.mjs';

/**
 * Retries `check` until it stops throwing (or rejecting) and resolves to its result;
 * gives up after `timeout` ms (default 30 s) times the patience factor. Use it instead of a bare
 * `vi.waitFor`, whose one-second default fails on a loaded machine.
 *
 * @template T
 * @param {() => T | Promise<T>} check
 * @param {{ timeout?: number, interval?: number }} [options]
 * @returns {Promise<T>}
 */
export function eventually(check, options = {}) {
  return vi.waitFor(check, { timeout: patient(options.timeout ?? 30_000), interval: options.interval ?? 50 });
}
