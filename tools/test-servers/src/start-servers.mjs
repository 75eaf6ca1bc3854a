// @ts-check
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { pickFreePort } from './free-port.mjs';
import { logProgress, secondsSince } from './log-progress.mjs';
import { readLogTail, serverLogPath } from './server-log.mjs';

/** @typedef {import('./server-definition.mjs').ServerDefinition} ServerDefinition */
/** @typedef {{ definition: ServerDefinition, running: import('./server-definition.mjs').RunningServer }} StartedServer */

/**
 * Starts the servers in parallel, each on a port and in a subfolder of its own. When any fails,
 * shows why with the tail of its log, stops the others and throws.
 * @param {ServerDefinition[]} definitions
 * @param {string} runFolder
 * @returns {Promise<StartedServer[]>}
 */
export async function startServers(definitions, runFolder) {
  const results = await Promise.allSettled(
    definitions.map((definition) => startServer(definition, runFolder)),
  );
  const started = results.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  const failed = definitions.filter((_, index) => results[index]?.status === 'rejected');
  if (failed.length === 0) return started;

  for (const [index, definition] of definitions.entries()) {
    const result = results[index];
    if (result?.status !== 'rejected') continue;
    const reason = result.reason instanceof Error ? result.reason.message : String(result.reason);
    logLines(`${definition.name} failed to start: ${reason}`);
    const logTail = await readLogTail(serverLogPath(join(runFolder, definition.name)));
    if (logTail.length > 0) logLines(`last lines of its log:\n${logTail.join('\n')}`);
  }
  await stopServers(started);
  throw new Error(`could not start ${failed.map((definition) => definition.name).join(', ')}`);
}

/**
 * @param {ServerDefinition} definition
 * @param {string} runFolder
 * @returns {Promise<StartedServer>}
 */
async function startServer(definition, runFolder) {
  const dataDir = join(runFolder, definition.name);
  await mkdir(dataDir);
  const port = await pickFreePort();
  const startedAt = performance.now();
  const running = await definition.start({ dataDir, port });
  logProgress(`${definition.name} ready on 127.0.0.1:${port} (${secondsSince(startedAt)})`);
  return { definition, running };
}

/**
 * Stops the servers in parallel; a failure is reported, not thrown, so the others still stop.
 * @param {StartedServer[]} started
 */
export async function stopServers(started) {
  if (started.length === 0) return;
  const startedAt = performance.now();
  const results = await Promise.allSettled(started.map(({ running }) => running.stop()));
  for (const [index, result] of results.entries()) {
    if (result.status !== 'rejected') continue;
    const reason = result.reason instanceof Error ? result.reason.message : String(result.reason);
    logLines(`${started[index]?.definition.name} did not stop: ${reason}`);
  }
  const names = started.map(({ definition }) => definition.name).join(', ');
  logProgress(`stopped ${names} (${secondsSince(startedAt)})`);
}

/** @param {string} text */
function logLines(text) {
  const [first = '', ...rest] = text.split('\n');
  logProgress(first);
  for (const line of rest) logProgress(`  ${line}`);
}
