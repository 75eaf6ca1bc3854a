import type { Command } from 'commander';
import { ApiClient } from './api-client';
import { loadCredentials } from './credentials';
import { CliError, EXIT } from './errors';

/** Where the CLI writes (a terminal is redrawn in place; anything else gets plain lines). */
export interface CliOutput {
  write(text: string): unknown;
  isTTY?: boolean;
}

/** The outside world of one CLI run: streams and environment (so tests run it in-process). */
export interface CliIo {
  stdout: CliOutput;
  stderr: CliOutput;
  env: Record<string, string | undefined>;
  /**
   * Resolves when a long-running command (`up`, `logs --follow`) should stop; default the first
   * SIGINT or SIGTERM. Tests pass their own.
   */
  stopSignal?: () => Promise<string>;
}

/** Resolves on the first SIGINT or SIGTERM, then removes its listeners. */
export function processStopSignal(): Promise<string> {
  return new Promise((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      resolve(signal);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}

/** What every command handler gets. */
export class CliContext {
  constructor(readonly io: CliIo) {}

  /** Resolves when a long-running command should stop (SIGINT or SIGTERM by default). */
  stopSignal(): Promise<string> {
    return (this.io.stopSignal ?? processStopSignal)();
  }

  print(line = ''): void {
    this.io.stdout.write(`${line}\n`);
  }

  json(value: unknown): void {
    this.io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  }

  /** A client with the stored credentials (`$PAASMAKER_URL` / `$PAASMAKER_API_KEY` override them). */
  async client(): Promise<ApiClient> {
    const { env } = this.io;
    const stored = await loadCredentials(env);
    const url = env.PAASMAKER_URL || stored?.url;
    const apiKey = env.PAASMAKER_API_KEY || stored?.apiKey;
    if (!url || !apiKey)
      throw new CliError('not logged in: run paasmaker login --url <pacemaker url> --user <login> first');
    return new ApiClient({ url, auth: { bearer: apiKey } });
  }
}

/** Adds `--json` and examples to a command. */
export function leaf(command: Command, examples: string[]): Command {
  command.option('--json', 'print JSON (for scripts) instead of text');
  if (examples.length)
    command.addHelpText('after', `\nExamples:\n${examples.map((example) => `  $ ${example}`).join('\n')}\n`);
  return command;
}

/** Parses a positive integer id argument. */
export function parseId(value: string, what = 'id'): number {
  if (!/^[1-9][0-9]{0,15}$/.test(value))
    throw new CliError(`${what} must be a positive integer, not ${JSON.stringify(value)}`, EXIT.usage);
  return Number(value);
}

/** `key=value` options collected into an object. */
export function collectTag(value: string, previous: Record<string, string> = {}): Record<string, string> {
  const at = value.indexOf('=');
  if (at <= 0) throw new CliError(`--tag expects key=value, not ${JSON.stringify(value)}`, EXIT.usage);
  return { ...previous, [value.slice(0, at)]: value.slice(at + 1) };
}

/** Aligned columns with a header row. */
export function table(headers: string[], rows: (string | number | null | undefined)[][]): string[] {
  const cells = [headers, ...rows.map((row) => row.map((cell) => (cell == null ? '' : String(cell))))];
  const widths = headers.map((_, column) => Math.max(...cells.map((row) => (row[column] ?? '').length)));
  return cells.map((row) =>
    row
      .map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column] ?? 0)))
      .join('  ')
      .trimEnd(),
  );
}

/** `key: value` lines of a record. */
export function details(record: Record<string, unknown>): string[] {
  const keys = Object.keys(record);
  const width = Math.max(...keys.map((key) => key.length));
  return keys.map((key) => {
    const value = record[key];
    const text = typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value);
    return `${`${key}:`.padEnd(width + 1)} ${text}`;
  });
}
