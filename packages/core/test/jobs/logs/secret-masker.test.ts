import { describe, expect, it } from 'vitest';
import { REDACTED, SecretMasker } from '../../../src/jobs/logs/secret-masker';

const TOKEN = 'tok-0123456789abcdef';
const PASSWORD = 'pa"ss/wörd';

/** Masks `text` in pieces of `size` bytes, each piece seeing the bytes around it, as log readers do. */
function maskInPieces(masker: SecretMasker, text: string, size: number): string {
  const bytes = Buffer.from(text);
  const parts: string[] = [];
  for (let start = 0; start < bytes.length; ) {
    const piece = masker.maskRange(bytes, start, Math.min(start + size, bytes.length), false);
    parts.push(piece.text);
    start = piece.end;
  }
  return parts.join('');
}

describe('SecretMasker', () => {
  it('masks each secret, also as written in a JSON string and in a URL', () => {
    const masker = new SecretMasker([TOKEN, PASSWORD]);
    const json = JSON.stringify({ password: PASSWORD });
    const url = `postgres://app:${encodeURIComponent(PASSWORD)}@db/app`;
    const masked = masker.mask(`token ${TOKEN}, ${json}, ${url}, again ${TOKEN}${TOKEN}`);
    expect(masked).toBe(
      `token ${REDACTED}, {"password":"${REDACTED}"}, postgres://app:${REDACTED}@db/app, again ${REDACTED}${REDACTED}`,
    );
  });

  it('ignores empty and short secrets, which would mangle ordinary text', () => {
    const masker = new SecretMasker(['', 'abc', 'admin']);
    expect(masker.empty).toBe(true);
    expect(masker.mask('admin abc')).toBe('admin abc');
  });

  it('masks a secret that contains another one whole', () => {
    const masker = new SecretMasker(['secret', 'my-secret-value']);
    expect(masker.mask('a my-secret-value b secret')).toBe(`a ${REDACTED} b ${REDACTED}`);
  });

  it('masks a secret cut by any piece boundary, never giving out a part of it', () => {
    const masker = new SecretMasker([TOKEN, PASSWORD]);
    const text = `start ${TOKEN} middle ${PASSWORD}\nend ${TOKEN}`;
    const whole = masker.mask(text);
    for (let size = 1; size <= Buffer.byteLength(text); size++)
      expect(maskInPieces(masker, text, size), `pieces of ${size} bytes`).toBe(whole);
  });

  it('holds back the unfinished start of a secret at the end of a growing text, and masks it once whole', () => {
    const masker = new SecretMasker([TOKEN]);
    const first = Buffer.from(`line\n${TOKEN.slice(0, 9)}`);
    const piece = masker.maskRange(first, 0, first.length, true);
    expect(piece).toEqual({ text: 'line\n', end: 5 });
    const grown = Buffer.from(`line\n${TOKEN}\n`);
    expect(masker.maskRange(grown, piece.end, grown.length, true)).toEqual({
      text: `${REDACTED}\n`,
      end: grown.length,
    });
  });

  it('masks what a piece starting inside a secret shows of it', () => {
    const masker = new SecretMasker([TOKEN]);
    const bytes = Buffer.from(`a ${TOKEN} b`);
    expect(masker.maskRange(bytes, 7, bytes.length, false).text).toBe(`${REDACTED} b`);
  });
});
