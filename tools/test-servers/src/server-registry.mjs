// @ts-check
import { apache } from './servers/apache.mjs';
import { chromium } from './servers/chromium.mjs';
import { mariadb } from './servers/mariadb.mjs';
import { nginx } from './servers/nginx.mjs';
import { postgres } from './servers/postgres.mjs';
import { redis } from './servers/redis.mjs';
import { slapd } from './servers/slapd.mjs';

/** @type {Record<string, import('./server-definition.mjs').ServerDefinition>} */
export const serverRegistry = { redis, postgres, mariadb, nginx, apache, slapd, chromium };

/**
 * @param {string} name
 * @returns {import('./server-definition.mjs').ServerDefinition}
 */
export function findServerDefinition(name) {
  const definition = serverRegistry[name];
  if (definition === undefined) {
    throw new Error(`unknown server "${name}"; known: ${Object.keys(serverRegistry).join(', ')}`);
  }
  return definition;
}
