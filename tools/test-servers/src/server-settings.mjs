// @ts-check
import { requireServerEnv } from './require-server.mjs';

// Each helper throws, saying how to start the server, when the test run has not started it.

/** @returns {string} redis://127.0.0.1:<port> */
export function redisUrl() {
  return requireServerEnv('redis');
}

/** @returns {string} postgres://postgres@127.0.0.1:<port>/postgres */
export function postgresUrl() {
  return requireServerEnv('postgres');
}

/** @returns {string} mysql://root@127.0.0.1:<port>/ */
export function mysqlUrl() {
  return requireServerEnv('mysql');
}

/** @returns {{ url: string, bindDn: string, bindPassword: string, baseDn: string }} */
export function ldapSettings() {
  return {
    url: requireServerEnv('ldap', 'PAASMAKER_TEST_LDAP_URL'),
    bindDn: requireServerEnv('ldap', 'PAASMAKER_TEST_LDAP_BIND_DN'),
    bindPassword: requireServerEnv('ldap', 'PAASMAKER_TEST_LDAP_BIND_PASSWORD'),
    baseDn: requireServerEnv('ldap', 'PAASMAKER_TEST_LDAP_BASE_DN'),
  };
}

/**
 * For router tests, which start their own nginx with their own configuration.
 * @returns {{ url: string, bin: string, modulesDir: string }}
 */
export function nginxSettings() {
  return {
    url: requireServerEnv('nginx', 'PAASMAKER_TEST_NGINX_URL'),
    bin: requireServerEnv('nginx', 'PAASMAKER_TEST_NGINX_BIN'),
    modulesDir: requireServerEnv('nginx', 'PAASMAKER_TEST_NGINX_MODULES_DIR'),
  };
}

/** @returns {{ url: string, bin: string, modulesDir: string, phpModule: string }} */
export function apacheSettings() {
  return {
    url: requireServerEnv('apache', 'PAASMAKER_TEST_APACHE_URL'),
    bin: requireServerEnv('apache', 'PAASMAKER_TEST_APACHE_BIN'),
    modulesDir: requireServerEnv('apache', 'PAASMAKER_TEST_APACHE_MODULES_DIR'),
    phpModule: requireServerEnv('apache', 'PAASMAKER_TEST_PHP_MODULE'),
  };
}
