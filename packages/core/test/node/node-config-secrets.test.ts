import { describe, expect, it } from 'vitest';
import { nodeConfigSecrets, parseNodeConfig } from '../../src/node';
import { NODE_TOKEN, SUPER_TOKEN } from './node-test-helpers';

describe('nodeConfigSecrets', () => {
  it('finds the tokens, URL passwords (in roles and plugin options), credential keys and environment values', () => {
    const config = parseNodeConfig(
      `dataFolder: data
roles:
  pacemaker:
    database: postgres://paasmaker:pg-p%40ssword@db.internal/paasmaker
    jobStore: redis://:redis-secret-1@127.0.0.1:6379
    superToken: \${env:PM_SUPER}
    nodeToken: ${NODE_TOKEN}
    routingTable: redis://routing:table-secret@127.0.0.1:6380
plugins:
  - plugin: '@paasmaker/plugin-service-mysql'
    options: { adminUrl: 'mysql://root:mysql-root-pw@127.0.0.1:3306', hostname: db.example.com }
  - plugin: '@acme/paasmaker-backups'
    options: { bucket: backups, s3: { accessKey: AKIA1, secretAccessKey: s3-secret-key } }
  - plugin: '@acme/paasmaker-notify'
    options: { webhook: 'https://hooks.example.com/x', apiToken: '\${env:PM_NOTIFY}' }
`,
      '<config>',
      { env: { PM_SUPER: SUPER_TOKEN, PM_NOTIFY: 'notify-token-77' } },
    );
    expect(new Set(nodeConfigSecrets(config))).toEqual(
      new Set([
        SUPER_TOKEN,
        NODE_TOKEN,
        'notify-token-77',
        'pg-p%40ssword',
        'pg-p@ssword',
        'redis-secret-1',
        'table-secret',
        'mysql-root-pw',
        's3-secret-key',
      ]),
    );
  });
});
