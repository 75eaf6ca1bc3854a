// @ts-check
import { constants } from 'node:os';
import { logProgress } from './log-progress.mjs';

/** @type {NodeJS.Signals[]} */
const interruptSignals = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/**
 * From now on SIGINT, SIGTERM and SIGHUP no longer end the process at once: they are forwarded to
 * the child being waited for, so the runner can stop the servers before it exits.
 */
export function catchInterruptSignals() {
  /** @type {NodeJS.Signals | undefined} */
  let received;
  /** @type {Set<(signal: NodeJS.Signals) => void>} */
  const forwarders = new Set();
  for (const signal of interruptSignals) {
    process.on(signal, () => {
      if (received === undefined) logProgress(`${signal} received, cleaning up`);
      received ??= signal;
      for (const forward of forwarders) forward(signal);
    });
  }
  return {
    received: () => received,
    /**
     * @param {import('node:child_process').ChildProcess} child
     * @returns {() => void} stops forwarding
     */
    forwardSignalsTo(child) {
      /** @param {NodeJS.Signals} signal */
      const forward = (signal) => {
        child.kill(signal);
      };
      forwarders.add(forward);
      return () => forwarders.delete(forward);
    },
  };
}

/**
 * The shell's convention: 128 plus the signal's number (130 for SIGINT, 143 for SIGTERM).
 * @param {NodeJS.Signals} signal
 */
export function exitCodeForSignal(signal) {
  return 128 + (constants.signals[signal] ?? 0);
}
