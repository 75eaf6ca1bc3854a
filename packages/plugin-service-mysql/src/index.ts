export {
  MYSQL_SERVICE_NAME,
  mysqlServicePlugin,
  mysqlServicePlugin as default,
} from './mysql-service-plugin';
export { createMysqlServiceProvider, type MysqlCredentials } from './mysql-service-provider';
export {
  type MysqlServiceOptions,
  mysqlServiceOptionsSchema,
  mysqlServiceParametersSchema,
} from './mysql-service-schemas';
