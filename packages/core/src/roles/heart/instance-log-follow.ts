import { type FSWatcher, watch } from 'node:fs';
import path from 'node:path';
import type { SecretMasker } from '../../jobs/logs/secret-masker';
import { type InstanceLogChunk, readInstanceLog } from './instance-log';

/**
 * How often a followed log is read without a file event: some file systems send none, and this
 * is also how soon a follow notices its instance is gone.
 */
const RECHECK_MS = 1000;
const KEEP_ALIVE_MS = 30_000;

/** When a follow of an instance log ends. */
export interface InstanceLogFollowOptions {
  /** Ends the follow. */
  readonly signal: AbortSignal;
  /** False once the instance is gone: the follow ends after the last of its log. */
  readonly running: () => boolean;
  /**
   * After this long without output, an empty piece is yielded, so that a quiet log does not
   * look like a dead connection (fetch gives up on a body silent for 300 s). Default 30 s.
   */
  readonly keepAliveMs?: number;
}

/**
 * Follows an instance's log from byte `offset`: yields each piece the app appends (masked, with
 * the offset to resume from), as soon as a file event says the log changed, until `signal`
 * aborts or the instance is gone; an empty piece now and then while the log is quiet.
 */
export async function* followInstanceLog(
  file: string,
  offset: number,
  secrets: SecretMasker,
  options: InstanceLogFollowOptions,
): AsyncGenerator<InstanceLogChunk> {
  let changed = false;
  let wake: (() => void) | undefined;
  const poke = () => {
    changed = true;
    wake?.();
  };
  const watcher = watchFile(file, poke);
  const timer = setInterval(poke, RECHECK_MS);
  options.signal.addEventListener('abort', poke);
  const keepAliveMs = options.keepAliveMs ?? KEEP_ALIVE_MS;
  let lastYield = Date.now();
  try {
    let next = offset;
    for (;;) {
      changed = false;
      // Asked before reading: what a stopped instance wrote last is still read once.
      const running = options.running();
      for (;;) {
        const chunk = await readInstanceLog(file, next, secrets);
        if (options.signal.aborted) return;
        if (chunk.next === next) break;
        next = chunk.next;
        if (!chunk.text) continue;
        lastYield = Date.now();
        yield chunk;
      }
      if (!running) return;
      if (Date.now() - lastYield >= keepAliveMs) {
        lastYield = Date.now();
        yield { text: '', next };
      }
      if (!changed) await new Promise<void>((resolve) => (wake = resolve));
      wake = undefined;
    }
  } finally {
    clearInterval(timer);
    watcher?.close();
    options.signal.removeEventListener('abort', poke);
  }
}

/** Watches the log's folder (the file may not exist yet); undefined when it cannot be watched. */
function watchFile(file: string, changed: () => void): FSWatcher | undefined {
  const name = path.basename(file);
  try {
    const watcher = watch(path.dirname(file), { persistent: false }, (_event, changedName) => {
      if (changedName === null || String(changedName) === name) changed();
    });
    // Watching stopped (the folder went away): the recheck timer carries on alone.
    watcher.on('error', () => watcher.close());
    return watcher;
  } catch {
    return undefined;
  }
}

/** The pieces of a followed log as NDJSON lines, `{"text":…,"next":…}`. */
export async function* instanceLogLines(chunks: AsyncIterable<InstanceLogChunk>): AsyncGenerator<string> {
  for await (const { text, next } of chunks) yield `${JSON.stringify({ text, next })}\n`;
}
