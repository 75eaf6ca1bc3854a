// @ts-check
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { findExecutable, requireExecutable } from '../executables.mjs';
import { commandSucceeds, runToCompletion } from '../run-to-completion.mjs';
import { serverLogPath } from '../server-log.mjs';
import { spawnServerProcess } from '../server-process.mjs';
import { waitUntilReady } from '../wait-until-ready.mjs';

const baseDn = 'dc=paasmaker,dc=test';
const bindDn = `cn=admin,${baseDn}`;
// LDAPNOINIT: the system's /etc/ldap/ldap.conf (TLS, base, URI) must not change what the tools do.
const ldapToolsEnv = { ...process.env, LDAPNOINIT: '1' };

/** @type {import('../server-definition.mjs').ServerDefinition} */
export const slapd = {
  name: 'slapd',
  debianPackages: ['slapd', 'ldap-utils'],
  isInstalled: () =>
    ['slapd', 'slappasswd', 'ldapadd', 'ldapwhoami'].every((name) => findExecutable(name) !== undefined),

  async start({ dataDir, port }) {
    const password = randomBytes(12).toString('hex');
    const passwordHash = (await runToCompletion(requireExecutable('slappasswd'), ['-s', password])).trim();
    const configFile = join(dataDir, 'slapd.conf');
    await mkdir(join(dataDir, 'db'));
    await writeFile(configFile, config(dataDir, passwordHash));

    const url = `ldap://127.0.0.1:${port}`;
    // Any -d keeps slapd in the foreground, as our child; "none" logs only startup and fatal errors.
    const server = spawnServerProcess(
      requireExecutable('slapd'),
      ['-f', configFile, '-h', `${url}/`, '-d', 'none'],
      { logFile: serverLogPath(dataDir), cwd: dataDir },
    );
    const bindArgs = ['-x', '-H', url, '-D', bindDn, '-w', password];
    try {
      await waitUntilReady(
        () => commandSucceeds(requireExecutable('ldapwhoami'), bindArgs, { env: ldapToolsEnv }),
        { what: `slapd to accept a bind as ${bindDn}`, server },
      );
      await runToCompletion(requireExecutable('ldapadd'), bindArgs, {
        input: seedEntries,
        env: ldapToolsEnv,
      });
    } catch (error) {
      await server.stop();
      throw error;
    }
    return {
      env: {
        PAASMAKER_TEST_LDAP_URL: url,
        PAASMAKER_TEST_LDAP_BIND_DN: bindDn,
        PAASMAKER_TEST_LDAP_BIND_PASSWORD: password,
        PAASMAKER_TEST_LDAP_BASE_DN: baseDn,
      },
      stop: () => server.stop(),
    };
  },
};

const seedEntries = `dn: ${baseDn}
objectClass: dcObject
objectClass: organization
dc: paasmaker
o: Paasmaker tests

dn: ou=people,${baseDn}
objectClass: organizationalUnit
ou: people
`;

/**
 * @param {string} dataDir
 * @param {string} passwordHash
 */
function config(dataDir, passwordHash) {
  return `include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema

pidfile ${join(dataDir, 'slapd.pid')}
argsfile ${join(dataDir, 'slapd.args')}
modulepath /usr/lib/ldap
moduleload back_mdb

database mdb
suffix "${baseDn}"
rootdn "${bindDn}"
rootpw ${passwordHash}
directory ${join(dataDir, 'db')}
`;
}
