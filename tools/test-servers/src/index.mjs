// @ts-check

export { eventually } from './eventually.mjs';
/** A free port on 127.0.0.1 below the ephemeral range, for a server a test starts itself. */
export { pickFreePort } from './free-port.mjs';
/** Timeouts scaled by `PAASMAKER_TEST_PATIENCE`: `patient(ms)` for a timeout, `eventually(check)` to wait. */
export { patienceFactor, patient } from './patience.mjs';
export { requireServerEnv } from './require-server.mjs';
export {
  apacheSettings,
  ldapSettings,
  mysqlUrl,
  nginxSettings,
  postgresUrl,
  redisUrl,
} from './server-settings.mjs';
/**
 * For tests that restart a PostgreSQL of their own: `await postgresServer.start({ dataDir, port })`
 * → `{ env, stop() }`; a start on the same `dataDir` after `stop()` starts the same cluster again.
 */
export { postgres as postgresServer } from './servers/postgres.mjs';
/** For tests that stop and restart a Redis of their own: `await redisServer.start({ dataDir, port })` → `{ stop() }`. */
export { redis as redisServer } from './servers/redis.mjs';
