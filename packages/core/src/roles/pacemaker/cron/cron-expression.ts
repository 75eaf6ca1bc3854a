import { Cron } from 'croner';
import { PaasmakerError } from '../../../kernel/errors';

/** A parsed crontab schedule: which minute, hour, day, month and weekday it runs on. */
export interface CronSchedule {
  /** Whether the schedule runs in the UTC minute of `date`. */
  matches(date: Date): boolean;
}

/**
 * Parses a five-field crontab expression, or a nickname (`@hourly`, `@daily`, `@weekly`,
 * `@monthly`, `@yearly`), with croner: lists, ranges, steps, month and weekday names, 0 and 7
 * for Sunday, and, as cron does, either day field matching when both are restricted. Schedules
 * are in UTC. `E_MANIFEST_INVALID` naming the field for a malformed one.
 */
export function parseCronExpression(spec: string): CronSchedule {
  let cron: Cron;
  try {
    cron = new Cron(spec.trim(), { timezone: 'UTC', paused: true, mode: '5-part' });
  } catch (error) {
    const reason = (error as Error).message.replace(/^CronPattern: /, '');
    throw new PaasmakerError('E_MANIFEST_INVALID', `Cron "${spec}": ${reason}`, { cause: error });
  }
  return {
    matches(date) {
      return cron.match(new Date(date.getTime() - (date.getTime() % 60_000)));
    },
  };
}
