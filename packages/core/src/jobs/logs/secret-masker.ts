import { utf8Boundary } from './utf8-boundary';

/** What a masked secret reads as. */
export const REDACTED = '[redacted]';

/** Secrets shorter than this are not masked: they would match ordinary words and mangle logs. */
export const MIN_SECRET_LENGTH = 6;

/** A piece of masked text, see {@link SecretMasker.maskRange}. */
export interface MaskedRange {
  /** The piece with every secret replaced by {@link REDACTED}. */
  text: string;
  /** Where the next piece starts, an index into the bytes given. */
  end: number;
}

/**
 * Replaces known secrets (cluster tokens, passwords) with {@link REDACTED} in logs that tenant
 * code writes. Each secret is also looked for as it reads inside a JSON string and inside a URL,
 * since that is how it is often printed. Logs read in pieces are masked with
 * {@link maskRange}, which sees a secret that straddles two pieces.
 */
export class SecretMasker {
  /** A masker that masks nothing. */
  static readonly NONE = new SecretMasker([]);

  private readonly patterns: readonly Buffer[];
  /** The byte length of the longest pattern: how much context a piece needs on each side. */
  readonly contextBytes: number;

  /** @param secrets the secrets; empty and short ones (< {@link MIN_SECRET_LENGTH}) are ignored */
  constructor(secrets: Iterable<string>) {
    const forms = new Set<string>();
    for (const secret of secrets) {
      if (secret.length < MIN_SECRET_LENGTH) continue;
      forms.add(secret);
      forms.add(JSON.stringify(secret).slice(1, -1));
      forms.add(encodeURIComponent(secret));
    }
    // Longest first, so that a secret containing another is masked whole.
    this.patterns = [...forms].map((form) => Buffer.from(form)).sort((a, b) => b.length - a.length);
    this.contextBytes = this.patterns[0]?.length ?? 0;
  }

  /** True when there is nothing to mask. */
  get empty(): boolean {
    return this.patterns.length === 0;
  }

  /** `text` with every secret replaced by {@link REDACTED}. */
  mask(text: string): string {
    if (this.empty) return text;
    const bytes = Buffer.from(text);
    return this.maskRange(bytes, 0, bytes.length, false).text;
  }

  /**
   * Masks `bytes[start, end)`, one piece of a longer text, using the bytes around it as context:
   * give at least {@link contextBytes} on each side where the text has them, and a secret that
   * begins before `start` or ends after `end` is still found. The returned `end` is where the
   * next piece should start: past a secret that straddles `end`; and when `more` (the text may
   * go on after `bytes`), before a tail that could be the start of a secret or a cut UTF-8
   * character, so that no part of a secret is ever given out unmasked.
   */
  maskRange(bytes: Buffer, start: number, end: number, more: boolean): MaskedRange {
    const found = this.find(bytes);
    let stop = end;
    for (const [from, to] of found) if (from < stop && to > stop) stop = to;
    if (more && stop === end) stop = this.holdBack(bytes, start, end, found);
    const parts: string[] = [];
    let at = start;
    for (const [from, to] of found) {
      if (to <= at || from >= stop) continue;
      if (from > at) parts.push(bytes.toString('utf8', at, from));
      parts.push(REDACTED);
      at = to;
    }
    if (at < stop) parts.push(bytes.toString('utf8', at, stop));
    return { text: parts.join(''), end: Math.max(stop, start) };
  }

  /** Every occurrence of a secret in `bytes`, as sorted, non-overlapping `[from, to)` ranges. */
  private find(bytes: Buffer): [number, number][] {
    const ranges: [number, number][] = [];
    for (const pattern of this.patterns)
      for (let at = bytes.indexOf(pattern); at >= 0; at = bytes.indexOf(pattern, at + 1))
        ranges.push([at, at + pattern.length]);
    ranges.sort((a, b) => a[0] - b[0]);
    const merged: [number, number][] = [];
    for (const range of ranges) {
      const last = merged.at(-1);
      if (last && range[0] < last[1]) last[1] = Math.max(last[1], range[1]);
      else merged.push(range);
    }
    return merged;
  }

  /**
   * Where to stop instead of `end` so that a secret whose first bytes end `bytes`, and whose
   * rest is still to come, is not cut: the start of the longest such tail (never before
   * `start`); else `end`, less a UTF-8 character cut by the end of `bytes`.
   */
  private holdBack(bytes: Buffer, start: number, end: number, found: [number, number][]): number {
    for (let at = Math.max(0, bytes.length - this.contextBytes + 1); at < end; at++) {
      if (found.some(([from, to]) => from < at && at < to)) continue;
      const tail = bytes.subarray(at);
      const cut = (pattern: Buffer) =>
        pattern.length > tail.length && pattern.subarray(0, tail.length).equals(tail);
      if (this.patterns.some(cut)) return Math.max(at, start);
    }
    return end === bytes.length ? Math.max(utf8Boundary(bytes, end), start) : end;
  }
}
