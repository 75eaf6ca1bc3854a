import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readJobLog } from '../../../src/jobs/logs/job-log-http';
import { isPaasmakerError } from '../../../src/kernel/errors';
import { fileText, StreamFixture } from './job-stream-fixtures';

let fixture: StreamFixture;
beforeEach(async () => {
  fixture = await new StreamFixture().init();
});
afterEach(async () => {
  await fixture.cleanup();
});

const token = 'node-token-for-logs';

describe('reading whole job logs across nodes', () => {
  it("reads a log from the node that ran the job, over HTTP with the node's token", async () => {
    const logsA = await fixture.logFiles();
    const logsB = await fixture.logFiles();
    await fixture.server('node-b', logsB, { token });
    const { childId } = await fixture.tree('node-a', 'node-b');
    const { log, close } = logsB.openLogger(childId);
    log.info('written on node b ✓');
    await close();

    const fromA = { nodeId: 'node-a', logs: logsA, store: fixture.store, token };
    expect(await readJobLog(fromA, childId)).toBe(await fileText(logsB, childId));
    const refused = await readJobLog({ ...fromA, token: 'wrong' }, childId).catch((e: unknown) => e);
    expect(isPaasmakerError(refused, 'E_JOB_LOG_UNAVAILABLE')).toBe(true);
    expect((refused as Error).message).toContain('answered 401');
  });

  it('says which of unknown job, no log yet and unreachable node it is', async () => {
    const logsA = await fixture.logFiles();
    const logsB = await fixture.logFiles();
    const { server } = await fixture.server('node-b', logsB, { token });
    const { rootId, childId } = await fixture.tree('node-a', 'node-b');
    const fromA = { nodeId: 'node-a', logs: logsA, store: fixture.store, token };
    const codeOf = (jobId: string) =>
      readJobLog(fromA, jobId).catch((e: unknown) => isPaasmakerError(e) && e.code);

    expect(await codeOf(randomUUID())).toBe('E_JOB_NOT_FOUND');
    expect(await codeOf(rootId)).toBe('E_JOB_LOG_NOT_FOUND');
    expect(await codeOf(childId)).toBe('E_JOB_LOG_NOT_FOUND');
    await server.close();
    expect(await codeOf(childId)).toBe('E_JOB_LOG_UNAVAILABLE');
  });
});
