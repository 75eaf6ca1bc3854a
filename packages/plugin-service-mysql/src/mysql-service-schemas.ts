import type { JsonSchema } from '@paasmaker/core';

/** Options of the MySQL service plugin (from the node config). */
export interface MysqlServiceOptions {
  /**
   * How the plugin reaches the server as an administrator: `mysql://user:password@host:port/`.
   * The user needs CREATE, DROP, CREATE USER and GRANT OPTION.
   */
  adminUrl: string;
  /** The host name applications connect to; default the host of `adminUrl`. */
  hostname?: string;
  /** The port applications connect to; default the port of `adminUrl`. */
  port?: number;
  /** Seconds to wait for the server to accept a connection; default 10. */
  connectTimeoutSeconds?: number;
}

export const mysqlServiceOptionsSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['adminUrl'],
  properties: {
    adminUrl: { type: 'string', pattern: '^mysql://' },
    hostname: { type: 'string', minLength: 1 },
    port: { type: 'integer', minimum: 1, maximum: 65535 },
    connectTimeoutSeconds: { type: 'number', exclusiveMinimum: 0, maximum: 600 },
  },
} as const satisfies JsonSchema;

/** A MySQL service takes no parameters in the manifest: every service gets a database of its own. */
export const mysqlServiceParametersSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {},
} as const satisfies JsonSchema;
