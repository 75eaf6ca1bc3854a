import type { Command } from 'commander';
import { type CliContext, details, leaf, parseId, table } from './context';

export function addVersionCommands(program: Command, context: CliContext): void {
  const version = program
    .command('version')
    .description('application versions: list, show, register, start, stop, current, deregister, delete')
    .addHelpText(
      'after',
      '\nExamples:\n  $ paasmaker version list 7\n  $ paasmaker version show 12\n  $ paasmaker version stop 12\n',
    );

  leaf(
    version
      .command('list')
      .description('list the versions of an application, oldest first')
      .argument('<app>', 'application id'),
    ['paasmaker version list 7', 'paasmaker version list 7 --json'],
  ).action(async (app: string, options: { json?: boolean }) => {
    const versions = await (await context.client()).listVersions(parseId(app, 'application id'));
    if (options.json) return context.json(versions);
    if (!versions.length) return context.print('No versions.');
    for (const line of table(
      ['ID', 'NUMBER', 'STATE', 'CURRENT', 'SCM', 'REVISION'],
      versions.map((v) => [v.id, v.number, v.state, v.isCurrent ? 'yes' : '', v.scmName, v.scmRevision]),
    ))
      context.print(line);
  });

  leaf(
    version
      .command('show')
      .description('show one version (its manifest needs APPLICATION_VIEW_MANIFEST)')
      .argument('<id>', 'version id'),
    ['paasmaker version show 12', 'paasmaker version show 12 --json'],
  ).action(async (id: string, options: { json?: boolean }) => {
    const shown = await (await context.client()).getVersion(parseId(id, 'version id'));
    if (options.json) return context.json(shown);
    const { manifest, ...rest } = shown;
    for (const line of details(rest)) context.print(line);
    if (typeof manifest === 'string') context.print(`manifest:\n${manifest}`);
  });
}
