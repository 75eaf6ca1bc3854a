import type { Command } from 'commander';
import type { ApplicationView } from './api-client';
import { type CliContext, details, leaf, parseId, table } from './context';
import { EXIT } from './errors';
import { followStarted } from './follow-started';

export function addAppCommands(program: Command, context: CliContext): void {
  const app = program
    .command('app')
    .description('applications: list, create, show, delete, instances, rollback')
    .addHelpText(
      'after',
      '\nExamples:\n  $ paasmaker app list 3\n  $ paasmaker app create 3 shop\n  $ paasmaker app show 7\n',
    );

  leaf(
    app
      .command('list')
      .description('list the applications of a workspace')
      .argument('<workspace>', 'workspace id'),
    ['paasmaker app list 3', 'paasmaker app list 3 --json'],
  ).action(async (workspace: string, options: { json?: boolean }) => {
    const apps = await (await context.client()).listApplications(parseId(workspace, 'workspace id'));
    if (options.json) return context.json(apps);
    if (!apps.length) return context.print('No applications.');
    for (const line of table(
      ['ID', 'NAME', 'MANIFEST'],
      apps.map((a) => [a.id, a.name, a.manifestPath]),
    ))
      context.print(line);
  });

  leaf(
    app
      .command('create')
      .description('create an application in a workspace')
      .argument('<workspace>', 'workspace id')
      .argument('<name>', 'its name (2–200 characters, unique in the workspace)')
      .option('--manifest-path <path>', 'where its manifest is in the source (default manifest.yml)'),
    [
      'paasmaker app create 3 shop',
      'paasmaker app create 3 blog --manifest-path deploy/paasmaker.yml --json',
    ],
  ).action(async (workspace: string, name: string, options: { manifestPath?: string; json?: boolean }) => {
    const created = await (await context.client()).createApplication(parseId(workspace, 'workspace id'), {
      name,
      ...(options.manifestPath !== undefined ? { manifestPath: options.manifestPath } : {}),
    });
    show(context, created, options.json, `Created application ${created.id} (${created.name}).`);
  });

  leaf(app.command('show').description('show one application').argument('<id>', 'application id'), [
    'paasmaker app show 7',
    'paasmaker app show 7 --json',
  ]).action(async (id: string, options: { json?: boolean }) => {
    show(context, await (await context.client()).getApplication(parseId(id, 'application id')), options.json);
  });

  leaf(
    app
      .command('delete')
      .option('--no-follow', 'print the job tree id and return at once')
      .description(
        `delete an application: its instances are stopped and removed from their nodes, its hostnames and packages go, then its versions; follows the job tree (exit ${EXIT.jobFailed} if it fails)`,
      )
      .argument('<id>', 'application id'),
    ['paasmaker app delete 7', 'paasmaker app delete 7 --no-follow --json'],
  ).action(async (id: string, options: { follow?: boolean; json?: boolean }) => {
    const applicationId = parseId(id, 'application id');
    const client = await context.client();
    const started = await client.deleteApplication(applicationId);
    await followStarted(context, client, started, options, `application ${applicationId}: delete`);
  });
}

function show(context: CliContext, app: ApplicationView, json?: boolean, headline?: string): void {
  if (json) {
    context.json(app);
    return;
  }
  if (headline) context.print(headline);
  for (const line of details({ ...app })) context.print(line);
}
