import type { Command } from 'commander';
import { type CliContext, leaf, parseId, table } from './context';
import { CliError, EXIT } from './errors';

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

function checkName(name: string): string {
  if (!NAME.test(name) || name.length > 200)
    throw new CliError(
      `${JSON.stringify(name)} is not a variable name (letters, digits and _, not starting with a digit)`,
      EXIT.usage,
    );
  return name;
}

export function addConfigCommands(program: Command, context: CliContext): void {
  const config = program
    .command('config')
    .description("an application's config variables (its instances' environment): get, set, unset")
    .addHelpText(
      'after',
      '\nExamples:\n  $ paasmaker config get 7\n  $ paasmaker config set 7 GREETING=Hi LOG_LEVEL=debug\n  $ paasmaker config unset 7 GREETING\n',
    );

  const print = (vars: Record<string, string>, json?: boolean) => {
    if (json) return context.json({ vars });
    const names = Object.keys(vars).sort();
    if (!names.length) return context.print('No config variables.');
    for (const line of table(
      ['NAME', 'VALUE'],
      names.map((name) => [name, vars[name]]),
    ))
      context.print(line);
  };

  leaf(config.command('get').description('list the config variables').argument('<app>', 'application id'), [
    'paasmaker config get 7',
    'paasmaker config get 7 --json',
  ]).action(async (app: string, options: { json?: boolean }) => {
    print((await (await context.client()).getConfig(parseId(app, 'application id'))).vars, options.json);
  });

  leaf(
    config
      .command('set')
      .description('set config variables (instances see them from their next start)')
      .argument('<app>', 'application id')
      .argument('<assignments...>', 'NAME=value'),
    ['paasmaker config set 7 GREETING=Hi', 'paasmaker config set 7 "MOTD=hello world" DEBUG=1 --json'],
  ).action(async (app: string, assignments: string[], options: { json?: boolean }) => {
    const applicationId = parseId(app, 'application id');
    const vars: Record<string, string> = {};
    for (const assignment of assignments) {
      const at = assignment.indexOf('=');
      if (at <= 0) throw new CliError(`expected NAME=value, not ${JSON.stringify(assignment)}`, EXIT.usage);
      vars[checkName(assignment.slice(0, at))] = assignment.slice(at + 1);
    }
    print((await (await context.client()).updateConfig(applicationId, vars)).vars, options.json);
  });

  leaf(
    config
      .command('unset')
      .description('remove config variables')
      .argument('<app>', 'application id')
      .argument('<names...>', 'variable names'),
    ['paasmaker config unset 7 GREETING', 'paasmaker config unset 7 MOTD DEBUG'],
  ).action(async (app: string, names: string[], options: { json?: boolean }) => {
    const applicationId = parseId(app, 'application id');
    const vars = Object.fromEntries(names.map((name) => [checkName(name), null]));
    print((await (await context.client()).updateConfig(applicationId, vars)).vars, options.json);
  });
}
