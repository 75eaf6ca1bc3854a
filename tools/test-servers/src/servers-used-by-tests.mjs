// @ts-check

/**
 * The servers `npm test` starts: every one server-registry.mjs defines. A server added there
 * reaches the tests once its name is added here.
 * @type {string[]}
 */
export const serversUsedByTests = ['redis', 'postgres', 'slapd', 'mariadb', 'apache', 'nginx', 'chromium'];
