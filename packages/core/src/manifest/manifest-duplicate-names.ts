import type { YamlPath } from '../yaml/located-yaml';
import { asList, asObject } from './loose-data';

/** Names used twice: instance types and services, each reported at its second (third...) use. */
export function duplicateNameProblems(data: unknown): { path: YamlPath; message: string }[] {
  const problems: { path: YamlPath; message: string }[] = [];
  const check = (list: 'instances' | 'services', message: (name: string) => string) => {
    const seen = new Set<string>();
    asList(asObject(data)?.[list]).forEach((entry, i) => {
      const name = asObject(entry)?.name;
      if (typeof name !== 'string') return;
      if (seen.has(name)) problems.push({ path: [list, i, 'name'], message: message(name) });
      seen.add(name);
    });
  };
  check(
    'instances',
    (name) =>
      `Instance type ${name} appears more than once in the manifest file. Each instance type requires a unique name.`,
  );
  check(
    'services',
    (name) =>
      `Service ${name} appears more than once in the manifest file. Each service requires a unique name.`,
  );
  return problems;
}
