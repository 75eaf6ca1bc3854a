import type { Command } from 'commander';
import type { Permission } from '../model/permissions';
import { type CliContext, details, leaf, parseId, table } from './context';

export function addRoleCommands(program: Command, context: CliContext): void {
  const role = program
    .command('role')
    .description(
      'roles (named sets of permissions) and who holds them: list, create, grant, revoke, allocations',
    )
    .addHelpText(
      'after',
      '\nExamples:\n  $ paasmaker role create deployers WORKSPACE_VIEW,APPLICATION_DEPLOY\n  $ paasmaker role grant 2 5 --workspace 3\n',
    );

  leaf(role.command('list').description('list the roles'), ['paasmaker role list']).action(
    async (options: { json?: boolean }) => {
      const roles = await (await context.client()).listRoles();
      if (options.json) return context.json(roles);
      for (const line of table(
        ['ID', 'NAME', 'PERMISSIONS'],
        roles.map((r) => [r.id, r.name, r.permissions.join(',')]),
      ))
        context.print(line);
    },
  );

  leaf(
    role
      .command('create')
      .description('create a role')
      .argument('<name>', 'role name')
      .argument('<permissions>', 'comma-separated permission names, or ALL'),
    ['paasmaker role create admins ALL', 'paasmaker role create viewers WORKSPACE_VIEW,WORKSPACE_LIST'],
  ).action(async (name: string, permissions: string, options: { json?: boolean }) => {
    const list =
      permissions === 'ALL'
        ? 'ALL'
        : (permissions
            .split(',')
            .map((p) => p.trim())
            .filter(Boolean) as Permission[]); // the API names any that is not one
    const created = await (await context.client()).createRole({ name, permissions: list });
    if (options.json) return context.json(created);
    context.print(`Created role ${created.id} (${created.name}).`);
    for (const line of details({ ...created, permissions: created.permissions.join(',') }))
      context.print(line);
  });

  leaf(
    role
      .command('grant')
      .description('give a role to a user, on one workspace or (without --workspace) the whole cluster')
      .argument('<roleId>', 'role id')
      .argument('<userId>', 'user id')
      .option('--workspace <id>', 'only on this workspace'),
    ['paasmaker role grant 2 5 --workspace 3', 'paasmaker role grant 1 5   # cluster-wide'],
  ).action(async (roleId: string, userId: string, options: { workspace?: string; json?: boolean }) => {
    const allocation = await (await context.client()).allocate({
      roleId: parseId(roleId, 'role id'),
      userId: parseId(userId, 'user id'),
      workspaceId: options.workspace === undefined ? null : parseId(options.workspace, 'workspace id'),
    });
    if (options.json) return context.json(allocation);
    const where =
      allocation.workspaceId === null ? 'the whole cluster' : `workspace ${allocation.workspaceId}`;
    context.print(
      `Granted role ${allocation.roleId} to user ${allocation.userId} on ${where} (allocation ${allocation.id}).`,
    );
  });

  leaf(
    role
      .command('revoke')
      .description('take back a role allocation (see `paasmaker role allocations`)')
      .argument('<allocationId>', 'allocation id'),
    ['paasmaker role revoke 12'],
  ).action(async (allocationId: string, options: { json?: boolean }) => {
    const id = parseId(allocationId, 'allocation id');
    await (await context.client()).unallocate(id);
    if (options.json) return context.json({ revoked: id });
    context.print(`Revoked allocation ${id}.`);
  });

  leaf(
    role
      .command('allocations')
      .description('list who holds which role where')
      .option('--user <id>', 'only this user')
      .option('--role <id>', 'only this role')
      .option('--workspace <id>', 'only this workspace'),
    ['paasmaker role allocations --user 5'],
  ).action(async (options: { user?: string; role?: string; workspace?: string; json?: boolean }) => {
    const allocations = await (await context.client()).listAllocations({
      ...(options.user ? { userId: parseId(options.user, 'user id') } : {}),
      ...(options.role ? { roleId: parseId(options.role, 'role id') } : {}),
      ...(options.workspace ? { workspaceId: parseId(options.workspace, 'workspace id') } : {}),
    });
    if (options.json) return context.json(allocations);
    for (const line of table(
      ['ID', 'ROLE', 'USER', 'WORKSPACE'],
      allocations.map((a) => [a.id, a.roleId, a.userId, a.workspaceId ?? '(cluster)']),
    ))
      context.print(line);
  });
}
