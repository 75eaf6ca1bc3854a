import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isPaasmakerError } from '../../../../src/kernel/errors';
import type { JsonObject } from '../../../../src/kernel/json-schema';
import { createKernelHooks } from '../../../../src/kernel/kernel-hooks';
import type { JobRun } from '../../../../src/kernel/providers/job-type-provider';
import { defineScm } from '../../../../src/kernel/providers/scm-provider';
import { type PrepareJobsOptions, scmJob } from '../../../../src/roles/pacemaker/deploy/prepare-job-types';

const DEPLOY_ID = '0f0e0d0c-0b0a-4908-8706-050403020100';

/** Stands for what the scm job never touches (the model, version trees, tenant users). */
const untouched = new Proxy(
  {},
  {
    get(_target, key) {
      throw new Error(`the scm job used ${String(key)}`);
    },
  },
) as never;

describe('the scm job', () => {
  let workFolder: string;
  const checkouts: string[] = [];
  const hooks = createKernelHooks();
  hooks.scm.for('acme.scm').tap('test', () =>
    defineScm({
      parametersSchema: {
        type: 'object',
        properties: { location: { type: 'string', minLength: 1 } },
        required: ['location'],
        additionalProperties: false,
      },
      async checkout(request) {
        checkouts.push(request.parameters.location);
        return { revision: 'r1' };
      },
    }),
  );

  beforeAll(async () => {
    workFolder = await mkdtemp(path.join(tmpdir(), 'pm-scm-job-'));
  });
  afterAll(async () => {
    await rm(workFolder, { recursive: true, force: true });
  });

  const run = (parameters: JsonObject) => {
    const options: PrepareJobsOptions = {
      hooks,
      workFolder,
      model: untouched,
      trees: untouched,
      tenants: untouched,
      clusterHostname: 'cluster.test',
    };
    const job: JobRun = {
      jobId: 'j1',
      treeId: 'j1',
      nodeId: 'local',
      parameters: { deployId: DEPLOY_ID, scm: 'acme.scm', parameters },
      context: {},
      childResults: {},
      signal: new AbortController().signal,
      log: pino({ enabled: false }),
      graft: async () => [],
    };
    return scmJob(options).run(job);
  };

  it('checks out with parameters that match the SCM schema', async () => {
    const outcome = await run({ location: 'somewhere' });
    expect(checkouts).toEqual(['somewhere']);
    expect(outcome?.context?.scmRevision).toBe('r1');
  });

  it.each([
    [{ location: 42 }, 'location must be a string'],
    [{}, 'location is required'],
    [{ location: 'x', branch: 'main' }, 'branch unknown key'],
  ])('refuses %j before the SCM sees it: %s', async (parameters, message) => {
    checkouts.length = 0;
    const error = await run(parameters).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(isPaasmakerError(error, 'E_DEPLOY_INVALID'), String(error)).toBe(true);
    expect(String(error)).toContain(`The acme.scm parameters are invalid: ${message}`);
    expect(checkouts).toEqual([]);
  });
});
