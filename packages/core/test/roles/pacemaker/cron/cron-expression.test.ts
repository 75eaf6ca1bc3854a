import { describe, expect, it } from 'vitest';
import { parseCronExpression } from '../../../../src/roles/pacemaker/cron';

const at = (iso: string) => new Date(`${iso}Z`);

describe('cron expressions', () => {
  it('matches every minute, steps, ranges and lists in UTC', () => {
    expect(parseCronExpression('* * * * *').matches(at('2026-11-30T16:41:00'))).toBe(true);
    const everyFive = parseCronExpression('*/5 * * * *');
    expect(everyFive.matches(at('2026-11-30T16:40:00'))).toBe(true);
    expect(everyFive.matches(at('2026-11-30T16:41:00'))).toBe(false);
    const office = parseCronExpression('0,30 9-17 * * MON-FRI');
    expect(office.matches(at('2026-11-30T09:30:00'))).toBe(true); // a Monday
    expect(office.matches(at('2026-11-30T18:00:00'))).toBe(false);
    expect(office.matches(at('2026-11-29T09:30:00'))).toBe(false); // a Sunday
    expect(parseCronExpression('15 3 1 jan *').matches(at('2027-01-01T03:15:00'))).toBe(true);
    expect(parseCronExpression('0 0 * * 7').matches(at('2026-11-29T00:00:00'))).toBe(true);
    expect(parseCronExpression('10-20/5 * * * *').matches(at('2026-11-30T16:15:00'))).toBe(true);
    expect(parseCronExpression('10-20/5 * * * *').matches(at('2026-11-30T16:25:00'))).toBe(false);
  });

  it('runs when either day field matches, if both are restricted (as cron does)', () => {
    const schedule = parseCronExpression('0 12 1 * MON');
    expect(schedule.matches(at('2026-12-01T12:00:00'))).toBe(true); // the 1st, a Tuesday
    expect(schedule.matches(at('2026-12-07T12:00:00'))).toBe(true); // a Monday
    expect(schedule.matches(at('2026-12-08T12:00:00'))).toBe(false);
  });

  it('takes nicknames and any second of the minute', () => {
    const daily = parseCronExpression('@daily');
    expect(daily.matches(at('2026-11-30T00:00:59'))).toBe(true);
    expect(daily.matches(at('2026-11-30T00:01:00'))).toBe(false);
    expect(parseCronExpression('@hourly').matches(at('2026-11-30T16:00:00'))).toBe(true);
    expect(parseCronExpression('@weekly').matches(at('2026-11-29T00:00:00'))).toBe(true); // a Sunday
    expect(parseCronExpression('*/5 * * * *').matches(at('2026-11-30T16:40:30'))).toBe(true);
  });

  it('refuses malformed schedules with a message naming what is wrong', () => {
    for (const [spec, words] of [
      ['* * * *', 'exactly five'],
      ['0 0 * * * *', 'requires exactly 5 parts'],
      ['61 * * * *', 'minute: 61'],
      ['* 24 * * *', 'hour: 24'],
      ['*/0 * * * *', 'illegal stepping: 0'],
      ['* * * FOO *', '(FOO) contains illegal characters'],
      ['@fortnightly', 'exactly five'],
    ] as const) {
      const error = (() => {
        try {
          parseCronExpression(spec);
        } catch (caught) {
          return caught as Error & { code?: string };
        }
      })();
      expect([error?.code, error?.message]).toEqual(['E_MANIFEST_INVALID', expect.stringContaining(words)]);
      expect(error?.message).toContain(`Cron "${spec}": `);
    }
  });
});
