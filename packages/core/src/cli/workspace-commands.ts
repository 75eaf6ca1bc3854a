import type { Command } from 'commander';
import type { WorkspaceView } from './api-client';
import { type CliContext, collectTag, details, leaf, parseId, table } from './context';
import { CliError, EXIT } from './errors';

const tagsText = (tags: Record<string, unknown>) =>
  Object.entries(tags)
    .map(([key, value]) => `${key}=${String(value)}`)
    .join(',');

export function addWorkspaceCommands(program: Command, context: CliContext): void {
  const workspace = program
    .command('workspace')
    .description('workspaces: list, create, show, update, delete')
    .addHelpText(
      'after',
      '\nExamples:\n  $ paasmaker workspace list\n  $ paasmaker workspace create "Shop" shop\n',
    );

  leaf(workspace.command('list').description('list the workspaces you may see'), [
    'paasmaker workspace list',
    'paasmaker workspace list --json',
  ]).action(async (options: { json?: boolean }) => {
    const workspaces = await (await context.client()).listWorkspaces();
    if (options.json) return context.json(workspaces);
    if (!workspaces.length) return context.print('No workspaces.');
    for (const line of table(
      ['ID', 'NAME', 'STUB', 'TAGS'],
      workspaces.map((w) => [w.id, w.name, w.stub, tagsText(w.tags)]),
    ))
      context.print(line);
  });

  leaf(
    workspace
      .command('create')
      .description('create a workspace')
      .argument('<name>', 'its name (2–200 characters)')
      .argument('<stub>', 'short name used in hostnames (letters, digits, - and .)')
      .option('--tag <key=value>', 'a tag (repeatable)', collectTag),
    [
      'paasmaker workspace create "Shop" shop',
      'paasmaker workspace create "Blog" blog --tag team=web --json',
    ],
  ).action(async (name: string, stub: string, options: { tag?: Record<string, string>; json?: boolean }) => {
    const created = await (await context.client()).createWorkspace({
      name,
      stub,
      ...(options.tag ? { tags: options.tag } : {}),
    });
    show(context, created, options.json, `Created workspace ${created.id} (${created.name}).`);
  });

  leaf(workspace.command('show').description('show one workspace').argument('<id>', 'workspace id'), [
    'paasmaker workspace show 3',
  ]).action(async (id: string, options: { json?: boolean }) => {
    show(context, await (await context.client()).getWorkspace(parseId(id, 'workspace id')), options.json);
  });

  leaf(
    workspace
      .command('update')
      .description('change a workspace')
      .argument('<id>', 'workspace id')
      .option('--name <name>', 'new name')
      .option('--stub <stub>', 'new stub')
      .option('--tag <key=value>', 'a tag (repeatable; replaces all tags)', collectTag),
    ['paasmaker workspace update 3 --name "Shop (EU)"', 'paasmaker workspace update 3 --tag team=web'],
  ).action(
    async (
      id: string,
      options: { name?: string; stub?: string; tag?: Record<string, string>; json?: boolean },
    ) => {
      const patch = {
        ...(options.name !== undefined ? { name: options.name } : {}),
        ...(options.stub !== undefined ? { stub: options.stub } : {}),
        ...(options.tag !== undefined ? { tags: options.tag } : {}),
      };
      if (!Object.keys(patch).length)
        throw new CliError('nothing to change: give --name, --stub or --tag', EXIT.usage);
      const updated = await (await context.client()).updateWorkspace(parseId(id, 'workspace id'), patch);
      show(context, updated, options.json, `Updated workspace ${updated.id}.`);
    },
  );

  leaf(
    workspace
      .command('delete')
      .description('delete a workspace (it must have no applications)')
      .argument('<id>'),
    ['paasmaker workspace delete 3'],
  ).action(async (id: string, options: { json?: boolean }) => {
    const workspaceId = parseId(id, 'workspace id');
    await (await context.client()).deleteWorkspace(workspaceId);
    if (options.json) context.json({ deleted: workspaceId });
    else context.print(`Deleted workspace ${workspaceId}.`);
  });
}

function show(context: CliContext, workspace: WorkspaceView, json?: boolean, headline?: string): void {
  if (json) {
    context.json(workspace);
    return;
  }
  if (headline) context.print(headline);
  for (const line of details({ ...workspace, tags: tagsText(workspace.tags) })) context.print(line);
}
