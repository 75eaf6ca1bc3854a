import { parseCronExpression } from '../roles/pacemaker/cron/cron-expression';
import type { YamlPath } from '../yaml/located-yaml';
import { asList, asObject } from './loose-data';
import { MANIFEST_CRON_PATTERN } from './manifest-schema';

const shape = new RegExp(MANIFEST_CRON_PATTERN);

/**
 * Cron schedules of the right shape (the schema checks that) whose values are not: a minute of
 * 61, a step of 0, an unknown month name. Reported at the runspec.
 */
export function cronProblems(data: unknown): { path: YamlPath; message: string }[] {
  const problems: { path: YamlPath; message: string }[] = [];
  asList(asObject(data)?.instances).forEach((instance, i) => {
    asList(asObject(instance)?.crons).forEach((cron, c) => {
      const runspec = asObject(cron)?.runspec;
      if (typeof runspec !== 'string' || !shape.test(runspec)) return;
      try {
        parseCronExpression(runspec);
      } catch (error) {
        problems.push({ path: ['instances', i, 'crons', c, 'runspec'], message: (error as Error).message });
      }
    });
  });
  return problems;
}
