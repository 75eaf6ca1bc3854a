import { PaasmakerError } from '../../../kernel/errors';

interface CronField {
  name: string;
  min: number;
  max: number;
  /** Names for values from `min` on (`JAN` is 1, `SUN` is 0). */
  names?: readonly string[];
}

const FIELDS: readonly CronField[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: 'JAN FEB MAR APR MAY JUN JUL AUG SEP OCT NOV DEC'.split(' ') },
  { name: 'day of week', min: 0, max: 7, names: 'SUN MON TUE WED THU FRI SAT'.split(' ') },
];

/** A parsed crontab schedule: which minute, hour, day, month and weekday it runs on. */
export interface CronSchedule {
  /** Whether the schedule runs in the UTC minute of `date`. */
  matches(date: Date): boolean;
}

function parseValue(text: string, field: CronField, spec: string): number {
  const named = (field.names ?? []).indexOf(text.toUpperCase());
  const value = named >= 0 ? named + field.min : /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!(value >= field.min && value <= field.max))
    throw new PaasmakerError(
      'E_MANIFEST_INVALID',
      `Cron "${spec}": ${field.name} "${text}" is not ${field.min}-${field.max}.`,
    );
  return value;
}

function parseField(text: string, field: CronField, spec: string): Set<number> {
  const values = new Set<number>();
  for (const part of text.split(',')) {
    const [range = '', stepText] = part.split('/');
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step < 1)
      throw new PaasmakerError(
        'E_MANIFEST_INVALID',
        `Cron "${spec}": step "${stepText}" must be a positive integer.`,
      );
    let [from, to] = [field.min, field.max];
    if (range !== '*') {
      const [start = '', end] = range.split('-');
      from = parseValue(start, field, spec);
      to = end === undefined ? (stepText === undefined ? from : field.max) : parseValue(end, field, spec);
    }
    for (let value = from; value <= to; value += step) values.add(value);
  }
  return values;
}

/** Parses a five-field crontab expression (`*`, lists, ranges, steps, month and weekday names; 0 and 7 are Sunday). */
export function parseCronExpression(spec: string): CronSchedule {
  const parts = spec.trim().split(/\s+/);
  if (parts.length !== 5)
    throw new PaasmakerError(
      'E_MANIFEST_INVALID',
      `Cron "${spec}" must have five fields (minute hour day month weekday).`,
    );
  const [minutes, hours, days, months, weekdays] = FIELDS.map((field, index) =>
    parseField(parts[index] ?? '', field, spec),
  ) as [Set<number>, Set<number>, Set<number>, Set<number>, Set<number>];
  if (weekdays.has(7)) weekdays.add(0);
  // As cron does: when both day fields are restricted, either may match.
  const dayRestricted = parts[2] !== '*';
  const weekdayRestricted = parts[4] !== '*';
  return {
    matches(date) {
      const day = days.has(date.getUTCDate());
      const weekday = weekdays.has(date.getUTCDay());
      const dayMatches = dayRestricted && weekdayRestricted ? day || weekday : day && weekday;
      return (
        minutes.has(date.getUTCMinutes()) &&
        hours.has(date.getUTCHours()) &&
        months.has(date.getUTCMonth() + 1) &&
        dayMatches
      );
    },
  };
}
