#!/usr/bin/env node
// @ts-check
// Usage: node run-with-servers.mjs [--servers redis,postgres] -- <command> [args...]
// Installs and starts the servers, runs the command with their PAASMAKER_TEST_* variables,
// then stops them and removes their data, also when the command fails or the run is interrupted.
import { installMissingDebianPackages } from './install-debian-packages.mjs';
import { catchInterruptSignals, exitCodeForSignal } from './interrupt-signals.mjs';
import { logProgress } from './log-progress.mjs';
import { parseArguments } from './parse-arguments.mjs';
import { createRunFolder, removeRunFolder, removeStaleRunFolders } from './run-folder.mjs';
import { runTestCommand } from './run-test-command.mjs';
import { findServerDefinition } from './server-registry.mjs';
import { startServers, stopServers } from './start-servers.mjs';

const interrupts = catchInterruptSignals();
process.exit(await main());

/** @returns {Promise<number>} the exit code */
async function main() {
  /** @type {ReturnType<typeof parseArguments>} */
  let options;
  /** @type {import('./server-definition.mjs').ServerDefinition[]} */
  let definitions;
  try {
    options = parseArguments(process.argv.slice(2));
    definitions = options.serverNames.map(findServerDefinition);
    await removeStaleRunFolders();
    await installMissingDebianPackages(definitions, interrupts.forwardSignalsTo);
  } catch (error) {
    logProgress(messageOf(error));
    return interruptedExitCode() ?? 1;
  }
  if (interrupts.received()) return interruptedExitCode() ?? 1;

  const runFolder = await createRunFolder();
  /** @type {import('./start-servers.mjs').StartedServer[]} */
  let started = [];
  try {
    started = await startServers(definitions, runFolder);
    if (interrupts.received()) return interruptedExitCode() ?? 1;
    const serverEnv = Object.assign({}, ...started.map(({ running }) => running.env));
    const exit = await runTestCommand(options.command, serverEnv, interrupts.forwardSignalsTo);
    if (exit.code !== null && !(exit.code === 0 && interrupts.received())) return exit.code;
    return exit.signal ? exitCodeForSignal(exit.signal) : (interruptedExitCode() ?? 1);
  } catch (error) {
    logProgress(messageOf(error));
    return interruptedExitCode() ?? 1;
  } finally {
    await stopServers(started);
    const killed = await removeRunFolder(runFolder);
    if (killed > 0) logProgress(`stopped ${killed} processes that outlived their server's stop`);
  }
}

function interruptedExitCode() {
  const signal = interrupts.received();
  return signal && exitCodeForSignal(signal);
}

/** @param {unknown} error */
function messageOf(error) {
  return error instanceof Error ? error.message : String(error);
}
