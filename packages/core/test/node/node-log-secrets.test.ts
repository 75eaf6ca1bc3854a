import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REDACTED } from '../../src/jobs';
import { defineJobType, definePlugin, KERNEL_API_VERSION } from '../../src/kernel';
import { createNode, type PaasmakerNode, parseNodeConfig } from '../../src/node';
import { API_PREFIX } from '../../src/roles/pacemaker';
import { createPostgresTestDatabase, type PostgresTestDatabase } from '../postgres-database';
import { NODE_TOKEN, SUPER_TOKEN, silent, TEST_COST, tempFolder } from './node-test-helpers';

// The test server trusts every local connection, so any password is accepted.
const DB_PASSWORD = 'pg-Pa55word-0f-the-node';

/** Runs the shell prepare step (what a manifest's prepare commands run through) in `directory`. */
const shellJob = definePlugin({
  name: 'test.shell-job',
  version: '1.0.0',
  apiVersion: KERNEL_API_VERSION,
  setup(kernel) {
    kernel.hooks.jobType.for('test.shell').tap('test.shell-job', () =>
      defineJobType({
        parametersSchema: {
          type: 'object',
          properties: { directory: { type: 'string' }, command: { type: 'string' } },
          required: ['directory', 'command'],
        },
        async run(job) {
          const shell = kernel.hooks.prepare.find('paasmaker.prepare.shell');
          if (!shell) throw new Error('no shell prepare step');
          const { directory, command } = job.parameters;
          await shell.run(
            {
              directory,
              environment: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
              parameters: { commands: [command] },
            },
            { log: job.log, signal: job.signal },
          );
          return { summary: 'Ran.' };
        },
      }),
    );
  },
});

describe("a node's secrets in job logs", () => {
  let database: PostgresTestDatabase;
  let dir: Awaited<ReturnType<typeof tempFolder>>;
  let node: PaasmakerNode;

  beforeAll(async () => {
    database = await createPostgresTestDatabase('pm_log_secrets');
    dir = await tempFolder();
    const url = new URL(database.connection);
    url.password = DB_PASSWORD;
    const config = parseNodeConfig(
      `dataFolder: data
logLevel: silent
roles:
  pacemaker:
    database: ${url}
    superToken: \${env:PM_TEST_SUPER_TOKEN}
    nodeToken: ${NODE_TOKEN}
    api: { port: 0 }
`,
      path.join(dir.folder, 'paasmaker.yml'),
      { env: { PM_TEST_SUPER_TOKEN: SUPER_TOKEN } },
    );
    node = await createNode(config, { logger: silent, passwordCost: TEST_COST, plugins: [shellJob] });
  }, 60_000);
  afterAll(async () => {
    await node?.close();
    await database?.drop();
    await dir?.remove();
  }, 60_000);

  it('a command that prints the super token and the database password: the job log shows neither', async () => {
    const pacemaker = node.pacemaker;
    if (!pacemaker) throw new Error('no pacemaker');
    // Tenant code that got hold of the secrets, printing them on stdout and (without a line end) stderr.
    await writeFile(path.join(dir.folder, 'found.txt'), `${SUPER_TOKEN} ${DB_PASSWORD}\n`);
    const command = 'cat found.txt; printf "%s" "$(cat found.txt)" >&2';
    const treeId = await pacemaker.jobs.createTree({
      type: 'test.shell',
      parameters: { directory: dir.folder, command },
    });
    const tree = await pacemaker.jobs.waitForTree(treeId);
    expect(tree.jobs.map((job) => job.state)).toEqual(['SUCCESS']);

    const response = await fetch(`${pacemaker.url}${API_PREFIX}/jobs/${treeId}/log`, {
      headers: { authorization: `Bearer ${SUPER_TOKEN}` },
    });
    const log = await response.text();
    expect(response.status, log).toBe(200);
    expect(log).toContain(`$ ${command}`);
    expect(log.split(`${REDACTED} ${REDACTED}`), log).toHaveLength(3);
    expect(log).not.toContain(SUPER_TOKEN);
    expect(log).not.toContain(DB_PASSWORD);
    // Nor does the file on disk, which the job stream's log follow reads.
    const file = await pacemaker.jobs.logs.readWhole(treeId);
    expect(file).not.toContain(SUPER_TOKEN);
    expect(file).not.toContain(DB_PASSWORD);
  }, 30_000);
});
