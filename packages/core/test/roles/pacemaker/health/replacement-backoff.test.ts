import { describe, expect, it } from 'vitest';
import { ReplacementBackoff } from '../../../../src/roles/pacemaker/health/replacement-backoff';

describe('ReplacementBackoff', () => {
  it('lets a version be replaced at once, then doubles the wait up to the longest, per version', () => {
    let now = 1_000_000;
    const backoff = new ReplacementBackoff({ firstMs: 1000, maxMs: 5000, clock: () => now });
    expect(backoff.waitMs(7)).toBe(0);
    backoff.replaced(7);
    expect(backoff.waitMs(7)).toBe(1000);
    expect(backoff.waitMs(8)).toBe(0);
    now += 400;
    expect(backoff.waitMs(7)).toBe(600);
    now += 600;
    expect(backoff.waitMs(7)).toBe(0);
    const waits: number[] = [];
    for (let i = 0; i < 4; i += 1) {
      backoff.replaced(7);
      waits.push(backoff.waitMs(7));
      now += waits.at(-1) ?? 0;
    }
    expect(waits).toEqual([2000, 4000, 5000, 5000]);
  });

  it('starts a version afresh after twice the longest wait without a replacement', () => {
    let now = 0;
    const backoff = new ReplacementBackoff({ firstMs: 1000, maxMs: 5000, clock: () => now });
    for (let i = 0; i < 5; i += 1) {
      backoff.replaced(1);
      now += backoff.waitMs(1);
    }
    expect(backoff.waitMs(1)).toBe(0);
    backoff.replaced(1);
    expect(backoff.waitMs(1)).toBe(5000);
    now += 10_001;
    expect(backoff.waitMs(1)).toBe(0);
    backoff.replaced(1);
    expect(backoff.waitMs(1)).toBe(1000);
  });
});
