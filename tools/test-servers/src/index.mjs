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
