import { describe, expect, it } from 'vitest';
import { RestartBackoff } from '../../src/process/restart-backoff';

describe('restart backoff', () => {
  it('doubles the delay per failure up to the maximum, and starts over once the instance stayed up', () => {
    const backoff = new RestartBackoff({ initial: 500, max: 3_000, resetAfterMs: 60_000 });
    const delays = [0, 1, 2, 3, 4].map(() => backoff.failed(1_000));
    expect(delays).toEqual([500, 1_000, 2_000, 3_000, 3_000]);
    backoff.started(10_000);
    expect(backoff.due).toBeNull();
    expect(backoff.failed(20_000)).toBe(3_000);
    backoff.started(30_000);
    expect(backoff.failed(30_000 + 60_000)).toBe(500);
  });
});
