import { hostname } from 'node:os';
import type { Command } from 'commander';
import { ApiClient } from './api-client';
import { type CliContext, leaf } from './context';
import { type Credentials, loadCredentials, removeCredentials, saveCredentials } from './credentials';
import { CliError, EXIT } from './errors';

interface LoginOptions {
  url: string;
  user?: string;
  password?: string;
  token?: string;
  json?: boolean;
}

export function addLoginCommands(program: Command, context: CliContext): void {
  leaf(
    program
      .command('login')
      .description(
        'log in to a pacemaker: with --user/--password creates an API key for you; with --token stores that token',
      )
      .requiredOption('--url <url>', 'the pacemaker, e.g. http://localhost:42500')
      .option('--user <login>', 'your login (the password comes from --password or $PAASMAKER_PASSWORD)')
      .option('--password <password>', 'your password')
      .option('--token <token>', 'an existing API key or the cluster super token'),
    [
      'paasmaker login --url http://localhost:42500 --user admin --password "$PASSWORD"',
      'PAASMAKER_PASSWORD=… paasmaker login --url http://pacemaker:42500 --user alice',
      'paasmaker login --url http://localhost:42500 --token "$PAASMAKER_SUPER_TOKEN"',
    ],
  ).action(async (options: LoginOptions) => {
    const url = parseUrl(options.url);
    const { env } = context.io;
    let credentials: Credentials;
    let who: string;
    if (options.token !== undefined) {
      if (options.user !== undefined)
        throw new CliError('give either --user or --token, not both', EXIT.usage);
      const me = await new ApiClient({ url, auth: { bearer: options.token } }).me();
      credentials = { url, apiKey: options.token };
      who = me.kind === 'user' ? me.user.login : `the ${me.kind} token`;
    } else if (options.user !== undefined) {
      const password = options.password ?? env.PAASMAKER_PASSWORD;
      if (password === undefined)
        throw new CliError('give the password with --password or $PAASMAKER_PASSWORD', EXIT.usage);
      const basic = new ApiClient({ url, auth: { basic: { login: options.user, password } } });
      const me = await basic.me();
      if (me.kind !== 'user') throw new CliError(`${options.user} is not a user account`);
      const label = `paasmaker cli on ${hostname()}`;
      const { key, apiKey } = await basic.createApiKey(me.user.id, label);
      credentials = { url, apiKey: key, userId: me.user.id, apiKeyId: apiKey.id };
      who = me.user.login;
    } else {
      throw new CliError('give --user <login> (and a password) or --token <token>', EXIT.usage);
    }
    const file = await saveCredentials(env, credentials);
    if (options.json) context.json({ url, user: who, credentialsFile: file });
    else context.print(`Logged in to ${url} as ${who}; credentials stored in ${file}.`);
  });

  leaf(
    program
      .command('logout')
      .description('forget the stored credentials (and revoke the API key login created, if reachable)'),
    ['paasmaker logout'],
  ).action(async (options: { json?: boolean }) => {
    const { env } = context.io;
    const stored = await loadCredentials(env);
    let revoked = false;
    if (stored?.userId !== undefined && stored.apiKeyId !== undefined) {
      try {
        await new ApiClient({ url: stored.url, auth: { bearer: stored.apiKey } }).deleteApiKey(
          stored.userId,
          stored.apiKeyId,
        );
        revoked = true;
      } catch (error) {
        context.io.stderr.write(`warning: the API key was not revoked: ${(error as Error).message}\n`);
      }
    }
    const removed = await removeCredentials(env);
    if (options.json) context.json({ loggedOut: removed, revoked });
    else context.print(removed ? `Logged out of ${stored?.url}.` : 'Not logged in.');
  });
}

function parseUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new CliError(
      `--url must be a URL such as http://localhost:42500, not ${JSON.stringify(value)}`,
      EXIT.usage,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new CliError(`--url must be http:// or https://, not ${url.protocol}`, EXIT.usage);
  return url.toString().replace(/\/+$/, '');
}
