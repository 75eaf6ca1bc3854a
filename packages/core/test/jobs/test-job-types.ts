import {
  defineJobType,
  definePlugin,
  type JobOutcome,
  type JobSpec,
  type JsonObject,
  KERNEL_API_VERSION,
} from '@paasmaker/core';

/** A job spec as a job parameter (specs are JSON). */
export const asParameter = (specs: JobSpec[]): JsonObject[] => specs;

/** What the test job types did, in order, across every engine of the test process. */
export interface JobJournal {
  /** `name@node` for each job run, in the order they started. */
  started: string[];
  /** How many times each job id ran. */
  runs: Map<string, number>;
  /** Names of jobs whose handler saw its abort signal. */
  sawAbort: string[];
  /** Most jobs running at once. */
  peak: number;
  running: number;
  /** Gates that `test.gate` jobs wait on, by name. */
  gates: Map<string, { opened: Promise<void>; open: () => void }>;
}

export function createJournal(): JobJournal {
  return { started: [], runs: new Map(), sawAbort: [], peak: 0, running: 0, gates: new Map() };
}

export function gate(journal: JobJournal, name: string): { opened: Promise<void>; open: () => void } {
  let entry = journal.gates.get(name);
  if (!entry) {
    let open = (): void => {};
    const opened = new Promise<void>((resolve) => {
      open = resolve;
    });
    entry = { opened, open };
    journal.gates.set(name, entry);
  }
  return entry;
}

const named = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    delayMs: { type: 'integer', minimum: 0, default: 0 },
    waitFor: { type: 'string' },
    opens: { type: 'string' },
    message: { type: 'string' },
    graft: { type: 'array', items: { type: 'object' } },
    graftUnder: { type: 'string', enum: ['parent', 'self'] },
    lines: { type: 'integer', minimum: 0 },
    rejects: { type: 'boolean' },
  },
  required: ['name'],
  additionalProperties: false,
} as const;

/** Job types the conformance suite builds trees from; they write what they did to `journal`. */
export function testJobTypes(journal: JobJournal) {
  return definePlugin({
    name: 'test.jobs',
    version: '1.0.0',
    apiVersion: KERNEL_API_VERSION,
    setup(kernel) {
      const track = async <T>(
        name: string,
        job: { jobId: string; nodeId: string },
        work: () => Promise<T>,
      ) => {
        journal.started.push(`${name}@${job.nodeId}`);
        journal.runs.set(job.jobId, (journal.runs.get(job.jobId) ?? 0) + 1);
        journal.running += 1;
        journal.peak = Math.max(journal.peak, journal.running);
        try {
          return await work();
        } finally {
          journal.running -= 1;
        }
      };
      const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

      kernel.hooks.jobType.for('test.step').tap('test.jobs', () =>
        defineJobType({
          parametersSchema: named,
          run: (job) =>
            track(job.parameters.name, job, async () => {
              const { name, delayMs, waitFor, opens } = job.parameters;
              if (waitFor) await gate(journal, waitFor).opened;
              await sleep(delayMs);
              if (opens) gate(journal, opens).open();
              job.log.info(`step ${name} done`);
              return {
                result: { name, children: Object.values(job.childResults) },
                context: { [name]: true, last: name },
              };
            }),
        }),
      );

      // Does nothing, records nothing: for trees of many thousands of jobs.
      kernel.hooks.jobType.for('test.noop').tap('test.jobs', () =>
        defineJobType({
          parametersSchema: { type: 'object' },
          run: async () => undefined,
        }),
      );

      kernel.hooks.jobType.for('test.fail').tap('test.jobs', () =>
        defineJobType({
          parametersSchema: named,
          run: (job) =>
            track(job.parameters.name, job, async () => {
              const { waitFor, message } = job.parameters;
              if (waitFor) await gate(journal, waitFor).opened;
              throw new Error(message ?? 'this job fails on purpose');
            }),
        }),
      );

      kernel.hooks.jobType.for('test.until-aborted').tap('test.jobs', () =>
        defineJobType({
          parametersSchema: named,
          run: (job) =>
            track(job.parameters.name, job, async () => {
              const { opens } = job.parameters;
              if (opens) gate(journal, opens).open();
              await new Promise((resolve) => job.signal.addEventListener('abort', resolve, { once: true }));
              journal.sawAbort.push(job.parameters.name);
              return { result: 'stopped' };
            }),
        }),
      );

      kernel.hooks.jobType.for('test.ignores-abort').tap('test.jobs', () =>
        defineJobType({
          parametersSchema: named,
          run: (job) =>
            track(job.parameters.name, job, async () => {
              const { opens } = job.parameters;
              if (opens) gate(journal, opens).open();
              await new Promise(() => {});
              return undefined;
            }),
        }),
      );

      // Throws from a bare callback (or rejects a promise nobody awaits) and never settles.
      kernel.hooks.jobType.for('test.throws-later').tap('test.jobs', () =>
        defineJobType({
          parametersSchema: named,
          run: (job) =>
            track(job.parameters.name, job, async () => {
              const { message, rejects } = job.parameters;
              const error = new Error(message ?? 'thrown from a bare callback');
              if (rejects) void Promise.reject(error);
              else
                setTimeout(() => {
                  throw error;
                }, 10);
              await new Promise(() => {});
              return undefined;
            }),
        }),
      );

      kernel.hooks.jobType.for('test.chatty').tap('test.jobs', () =>
        defineJobType({
          parametersSchema: named,
          run: (job) =>
            track(job.parameters.name, job, async () => {
              const { lines = 0, waitFor, opens } = job.parameters;
              for (let line = 0; line < lines; line++) {
                job.log.info({ line }, `line ${line} of ${lines}: ${'é'.repeat(line % 7)}`);
                if (line === Math.floor(lines / 2) && opens) gate(journal, opens).open();
                if (line === Math.floor(lines / 2) && waitFor) await gate(journal, waitFor).opened;
                await sleep(1);
              }
              return { result: lines };
            }),
        }),
      );

      kernel.hooks.jobType.for('test.graft').tap('test.jobs', () =>
        defineJobType({
          parametersSchema: named,
          run: (job) =>
            track(job.parameters.name, job, async () => {
              const { graftUnder } = job.parameters;
              // The schema says "objects"; a job spec's own shape (recursive) is checked when grafted.
              const graft = job.parameters.graft as JobSpec[];
              const under = graftUnder === 'self' ? job.jobId : (job.parentId as string);
              try {
                const ids = await job.graft(under, graft);
                return { result: { grafted: ids } } as JobOutcome;
              } catch (error) {
                return { result: { error: (error as { code?: string }).code ?? 'unknown' } } as JobOutcome;
              }
            }),
        }),
      );
    },
  });
}

/** A `test.step` job spec. */
export const step = (
  name: string,
  extra: Partial<JobSpec> & { delayMs?: number; waitFor?: string; opens?: string } = {},
): JobSpec => {
  const { delayMs, waitFor, opens, children, node } = extra;
  return {
    type: 'test.step',
    title: name,
    parameters: {
      name,
      ...(delayMs ? { delayMs } : {}),
      ...(waitFor ? { waitFor } : {}),
      ...(opens ? { opens } : {}),
    },
    ...(children ? { children } : {}),
    ...(node ? { node } : {}),
  };
};
