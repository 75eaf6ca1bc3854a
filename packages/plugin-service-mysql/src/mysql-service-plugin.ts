import { definePlugin, KERNEL_API_VERSION } from '@paasmaker/core';
import { createMysqlServiceProvider } from './mysql-service-provider';
import { mysqlServiceOptionsSchema } from './mysql-service-schemas';

/** The name of the plugin and of the service provider it registers. */
export const MYSQL_SERVICE_NAME = 'paasmaker.service.mysql';

/**
 * The `paasmaker.service.mysql` plugin: registers the MySQL service provider on `hooks.service`
 * under the same name. Options: `adminUrl` (required), `hostname`, `port`, `connectTimeoutSeconds`.
 */
export const mysqlServicePlugin = definePlugin({
  name: MYSQL_SERVICE_NAME,
  version: '0.0.0',
  apiVersion: KERNEL_API_VERSION,
  options: mysqlServiceOptionsSchema,
  setup(kernel, options) {
    const provider = createMysqlServiceProvider(options);
    kernel.hooks.service.for(MYSQL_SERVICE_NAME).tap(MYSQL_SERVICE_NAME, () => provider);
  },
});
