import {
  type AuthDecision,
  definePlugin,
  isPaasmakerError,
  KERNEL_API_VERSION,
  type User,
  type UserInput,
} from '@paasmaker/core';
import { askDirectory, type DirectoryPerson } from './directory';

export { escapeFilterValue, userFilter } from './ldap-filter';

/** The plugin's name, also the auth source of the local users it creates. */
export const LDAP_AUTH_SOURCE = 'acme.auth.ldap';

/** What the plugin needs from the organisation model (a `Model` from `createModel` will do). */
export interface LdapAuthModel {
  readonly users: {
    findByLogin(login: string): Promise<User | undefined>;
    create(input: UserInput): Promise<User>;
  };
}

const REJECTED = 'unknown user or wrong password';
const UNAVAILABLE = 'the LDAP directory cannot be reached; try again later';

/**
 * The `acme.auth.ldap` plugin for a model: checks a username and password against an LDAP
 * directory (search as a service account, then bind as the entry found). A person's first
 * successful login creates a local user with auth source `acme.auth.ldap` and no role
 * allocations, so no permissions until an administrator gives some. Taps `auth` at the default
 * stage 0, before the internal users.
 *
 * - tokens, and logins whose local user has another auth source: `undefined` (not ours);
 * - a username the directory does not know: `undefined` (the next plugin may know it);
 * - a wrong or empty password, several entries for one username, a disabled local user: `rejected`;
 * - a directory that cannot be reached or does not answer within `timeoutMs`: `rejected`, logged.
 */
export function ldapAuthPlugin(model: LdapAuthModel) {
  return definePlugin({
    name: LDAP_AUTH_SOURCE,
    version: '1.0.0',
    apiVersion: KERNEL_API_VERSION,
    // Options come from a config file: JSON only (the model is the factory's argument).
    options: {
      type: 'object',
      properties: {
        url: { type: 'string', pattern: '^ldaps?://' },
        bindDn: { type: 'string', minLength: 1 },
        bindPassword: { type: 'string', minLength: 1 },
        baseDn: { type: 'string', minLength: 1 },
        userFilter: { type: 'string', pattern: '^\\(.*\\{username\\}.*\\)$', default: '(uid={username})' },
        timeoutMs: { type: 'integer', minimum: 1, maximum: 600_000, default: 5_000 },
        loginAttribute: { type: 'string', minLength: 1, default: 'uid' },
        emailAttribute: { type: 'string', minLength: 1, default: 'mail' },
        nameAttribute: { type: 'string', minLength: 1, default: 'cn' },
      },
      required: ['url', 'bindDn', 'bindPassword', 'baseDn'],
      additionalProperties: false,
    },
    setup(kernel, settings) {
      const log = kernel.log;

      /** The local user of a person the directory vouched for, created on first login. */
      const localUser = async (person: DirectoryPerson): Promise<User> => {
        const existing = await model.users.findByLogin(person.login);
        if (existing) return existing;
        try {
          const user = await model.users.create({
            login: person.login,
            email: person.email ?? `${person.login}@ldap.invalid`,
            name: person.name ?? person.login,
            authSource: LDAP_AUTH_SOURCE,
          });
          log.info({ login: user.login, userId: user.id }, 'created the local user of an LDAP login');
          return user;
        } catch (error) {
          // Two first logins at once: the other one created it.
          const raced = isPaasmakerError(error, 'E_MODEL_CONFLICT')
            ? await model.users.findByLogin(person.login)
            : undefined;
          if (raced) return raced;
          throw error;
        }
      };

      kernel.hooks.auth.tapPromise(
        LDAP_AUTH_SOURCE,
        async (credentials): Promise<AuthDecision | undefined> => {
          if (credentials.kind !== 'password') return undefined;
          const { username, password } = credentials;
          // Internal (and other) users' passwords are never sent to the directory.
          const known = await model.users.findByLogin(username);
          if (known && known.authSource !== LDAP_AUTH_SOURCE) return undefined;

          let verdict: Awaited<ReturnType<typeof askDirectory>>;
          try {
            verdict = await askDirectory(settings, username, password);
          } catch (error) {
            log.error({ err: error, url: settings.url, login: username }, 'LDAP directory unavailable');
            return { outcome: 'rejected', reason: UNAVAILABLE };
          }
          switch (verdict.kind) {
            case 'unknown':
              return undefined;
            case 'ambiguous':
              log.warn({ login: username }, 'several LDAP entries match this login; refusing it');
              return { outcome: 'rejected', reason: REJECTED };
            case 'wrong-password':
              return { outcome: 'rejected', reason: REJECTED };
            case 'verified':
              break;
          }

          const owner = await model.users.findByLogin(verdict.person.login);
          if (owner && owner.authSource !== LDAP_AUTH_SOURCE) {
            log.warn(
              { login: verdict.person.login, authSource: owner.authSource },
              'an LDAP login matches a local user of another auth source; refusing it',
            );
            return { outcome: 'rejected', reason: REJECTED };
          }
          let user: User;
          try {
            user = await localUser(verdict.person);
          } catch (error) {
            log.error(
              { err: error, login: verdict.person.login },
              'cannot create the local user of an LDAP login',
            );
            return { outcome: 'rejected', reason: `cannot create a local user for ${verdict.person.login}` };
          }
          if (!user.enabled) return { outcome: 'rejected', reason: `user ${user.login} is disabled` };
          return {
            outcome: 'authenticated',
            principal: { kind: 'user', userId: String(user.id), source: LDAP_AUTH_SOURCE },
          };
        },
      );
    },
  });
}

export default ldapAuthPlugin;
