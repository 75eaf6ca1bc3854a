// @ts-check
import { serversUsedByTests } from './servers-used-by-tests.mjs';

/** @typedef {'redis' | 'postgres' | 'mysql' | 'nginx' | 'apache' | 'ldap' | 'chromium'} TestServer */

/**
 * What the tests read of each server, with an example value for someone who starts one by hand.
 * @type {Record<TestServer, { label: string, serverName: string, variables: Record<string, string> }>}
 */
const testServers = {
  redis: {
    label: 'Redis',
    serverName: 'redis',
    variables: { PAASMAKER_TEST_REDIS_URL: 'redis://127.0.0.1:<port>' },
  },
  postgres: {
    label: 'PostgreSQL',
    serverName: 'postgres',
    variables: { PAASMAKER_TEST_POSTGRES_URL: 'postgres://postgres@127.0.0.1:<port>/postgres' },
  },
  mysql: {
    label: 'MariaDB',
    serverName: 'mariadb',
    variables: { PAASMAKER_TEST_MYSQL_URL: 'mysql://root@127.0.0.1:<port>/' },
  },
  nginx: {
    label: 'nginx',
    serverName: 'nginx',
    variables: {
      PAASMAKER_TEST_NGINX_URL: 'http://127.0.0.1:<port>',
      PAASMAKER_TEST_NGINX_BIN: '/usr/sbin/nginx',
      PAASMAKER_TEST_NGINX_MODULES_DIR: '/usr/lib/nginx/modules',
    },
  },
  apache: {
    label: 'Apache',
    serverName: 'apache',
    variables: {
      PAASMAKER_TEST_APACHE_URL: 'http://127.0.0.1:<port>',
      PAASMAKER_TEST_APACHE_BIN: '/usr/sbin/apache2',
      PAASMAKER_TEST_APACHE_MODULES_DIR: '/usr/lib/apache2/modules',
      PAASMAKER_TEST_PHP_MODULE: '/usr/lib/apache2/modules/libphp8.2.so',
    },
  },
  ldap: {
    label: 'OpenLDAP (slapd)',
    serverName: 'slapd',
    variables: {
      PAASMAKER_TEST_LDAP_URL: 'ldap://127.0.0.1:<port>',
      PAASMAKER_TEST_LDAP_BIND_DN: 'cn=admin,dc=paasmaker,dc=test',
      PAASMAKER_TEST_LDAP_BIND_PASSWORD: '<password>',
      PAASMAKER_TEST_LDAP_BASE_DN: 'dc=paasmaker,dc=test',
    },
  },
  chromium: {
    label: 'Chromium',
    serverName: 'chromium',
    variables: { PAASMAKER_TEST_CHROMIUM_BIN: '/usr/bin/chromium' },
  },
};

/**
 * The value of one of a server's variables, for a test that needs that server. Throws, saying how
 * to get the server, when it is not set: a test must fail, never skip, without its server.
 * @param {TestServer} server
 * @param {string} [variable] defaults to the server's URL
 * @returns {string}
 */
export function requireServerEnv(server, variable) {
  const { label, serverName, variables } = testServers[server];
  const name = variable ?? Object.keys(variables)[0] ?? '';
  const value = process.env[name];
  if (value) return value;

  const settings = Object.entries(variables)
    .map(([key, example]) => `${key}=${example}`)
    .join(' ');
  const howToStart = serversUsedByTests.includes(serverName)
    ? 'run `npm test` from the repository root (it installs and starts every server)'
    : `add '${serverName}' to tools/test-servers/src/servers-used-by-tests.mjs and run \`npm test\` from the repository root (it installs and starts every server)`;
  const missing = name in variables ? '' : ` (${name} is not set)`;
  throw new Error(
    `${label} is not running for the tests${missing}: ${howToStart}, or start one yourself and set ${settings}`,
  );
}
