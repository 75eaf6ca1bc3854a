import type { Command } from 'commander';
import type { UserView } from './api-client';
import { type CliContext, details, leaf, parseId, table } from './context';
import { CliError, EXIT } from './errors';

export function addUserCommands(program: Command, context: CliContext): void {
  const user = program
    .command('user')
    .description('users: list, create, show')
    .addHelpText('after', '\nExamples:\n  $ paasmaker user list\n  $ paasmaker user show me\n');

  leaf(user.command('list').description('list the users'), [
    'paasmaker user list',
    'paasmaker user list --json',
  ]).action(async (options: { json?: boolean }) => {
    const users = await (await context.client()).listUsers();
    if (options.json) return context.json(users);
    for (const line of table(
      ['ID', 'LOGIN', 'NAME', 'EMAIL', 'ENABLED', 'SOURCE'],
      users.map((u) => [u.id, u.login, u.name, u.email, u.enabled ? 'yes' : 'no', u.authSource]),
    ))
      context.print(line);
  });

  leaf(
    user
      .command('create')
      .description('create a local user (password from --password or $PAASMAKER_NEW_PASSWORD)')
      .argument('<login>', 'login name (letters, digits, . _ @ -)')
      .argument('<email>', 'email address')
      .argument('<name>', 'full name')
      .option('--password <password>', 'at least 8 characters')
      .option('--disabled', 'create the user disabled'),
    ['paasmaker user create alice alice@example.com "Alice Liddell" --password "$PW"'],
  ).action(
    async (
      login: string,
      email: string,
      name: string,
      options: { password?: string; disabled?: boolean; json?: boolean },
    ) => {
      const password = options.password ?? context.io.env.PAASMAKER_NEW_PASSWORD;
      if (password === undefined)
        throw new CliError('give the password with --password or $PAASMAKER_NEW_PASSWORD', EXIT.usage);
      const created = await (await context.client()).createUser({
        login,
        email,
        name,
        password,
        ...(options.disabled ? { enabled: false } : {}),
      });
      show(context, created, options.json, `Created user ${created.id} (${created.login}).`);
    },
  );

  leaf(
    user.command('show').description('show one user ("me": yourself)').argument('<id>', 'user id or "me"'),
    ['paasmaker user show 4', 'paasmaker user show me'],
  ).action(async (id: string, options: { json?: boolean }) => {
    const client = await context.client();
    if (id === 'me') {
      const me = await client.me();
      if (me.kind !== 'user')
        return options.json ? context.json(me) : context.print(`You use the ${me.kind} token.`);
      return show(context, me.user, options.json);
    }
    show(context, await client.getUser(parseId(id, 'user id')), options.json);
  });
}

function show(context: CliContext, user: UserView, json?: boolean, headline?: string): void {
  if (json) {
    context.json(user);
    return;
  }
  if (headline) context.print(headline);
  for (const line of details({ ...user })) context.print(line);
}
