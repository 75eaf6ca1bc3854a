// @ts-check
import { setTimeout as sleep } from 'node:timers/promises';
import { describeExit } from './server-process.mjs';

/**
 * Polls `probe` until it answers true; gives up when the server process exits or time runs out.
 * @param {() => Promise<boolean>} probe
 * @param {{ what: string, server?: import('./server-process.mjs').ServerProcess, timeoutMs?: number }} options
 *   `what` completes "waiting for …" in the error message
 */
export async function waitUntilReady(probe, { what, server, timeoutMs = 60_000 }) {
  const deadline = performance.now() + timeoutMs;
  let delayMs = 10;
  for (;;) {
    const exit = server?.exitStatus();
    if (exit) throw new Error(`it stopped (${describeExit(exit)}) while waiting for ${what}`);
    if (await probe()) return;
    if (performance.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    }
    await sleep(delayMs);
    delayMs = Math.min(delayMs * 2, 200);
  }
}
