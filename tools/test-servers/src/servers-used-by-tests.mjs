// @ts-check

/**
 * The servers `npm test` starts. To give the tests another one, add its name from
 * server-registry.mjs: 'nginx'.
 * @type {string[]}
 */
export const serversUsedByTests = ['redis', 'postgres', 'slapd', 'mariadb', 'apache', 'nginx'];
