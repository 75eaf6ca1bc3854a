// @ts-check
export { requireServerEnv } from './require-server.mjs';
export {
  apacheSettings,
  ldapSettings,
  mysqlUrl,
  nginxSettings,
  postgresUrl,
  redisUrl,
} from './server-settings.mjs';
/** For tests that stop and restart a Redis of their own: `await redisServer.start({ dataDir, port })` → `{ stop() }`. */
export { redis as redisServer } from './servers/redis.mjs';
