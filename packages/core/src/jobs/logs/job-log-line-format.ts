import { levels } from 'pino';

/**
 * Turns one pino record (a JSON line) into the human-readable job log line
 * `2026-11-30T13:05:01.123Z INFO message {"extra":"fields"}`, followed by an error's stack on
 * the next lines. A line that is not a pino record is kept as it is.
 */
export function formatJobLogLine(json: string): string {
  let record: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(json);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return `${json}\n`;
    record = parsed as Record<string, unknown>;
  } catch {
    return `${json}\n`;
  }
  const { level, time, msg, ...fields } = record;
  const when =
    typeof time === 'number' ? new Date(time).toISOString() : String(time ?? new Date().toISOString());
  const label =
    typeof level === 'number' ? (levels.labels[level] ?? `level${level}`) : String(level ?? 'info');
  const stack = takeStack(fields);
  const parts = [when, label.toUpperCase()];
  if (msg !== undefined && msg !== '') parts.push(String(msg));
  if (Object.keys(fields).length > 0) parts.push(JSON.stringify(fields));
  return `${parts.join(' ')}\n${stack ? `${stack}\n` : ''}`;
}

/** Removes a serialised error's stack (and what the stack repeats) from `fields`; returns the stack. */
function takeStack(fields: Record<string, unknown>): string | undefined {
  const error = fields.err;
  if (
    typeof error !== 'object' ||
    error === null ||
    typeof (error as { stack?: unknown }).stack !== 'string'
  ) {
    return undefined;
  }
  const { stack, message: _message, type: _type, ...rest } = error as Record<string, unknown>;
  if (Object.keys(rest).length > 0) fields.err = rest;
  else delete fields.err;
  return stack as string;
}
