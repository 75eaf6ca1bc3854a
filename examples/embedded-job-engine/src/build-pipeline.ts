import { setTimeout as sleep } from 'node:timers/promises';
import {
  createJobEngine,
  createKernel,
  createSqlJobStore,
  definePlugin,
  type JobTypeProvider,
  KERNEL_API_VERSION,
  type ProgressOutput,
  showJobTreeProgress,
} from '@paasmaker/core';

// Each build step is a job type: it logs to its job log and reports what it made.
const step = (verb: string, ms: number): JobTypeProvider => ({
  parametersSchema: {
    type: 'object',
    properties: { target: { type: 'string' } },
    additionalProperties: false,
  },
  async run(job) {
    const target = String(job.parameters.target ?? 'all');
    job.log.info(`${verb} ${target} (after ${Object.keys(job.childResults).length} steps)`);
    await sleep(ms, undefined, { signal: job.signal });
    return { result: `${verb} ${target}`, context: { [`${verb} ${target}`]: 'done' } };
  },
});

const buildSteps = definePlugin({
  name: 'example.build-steps',
  version: '1.0.0',
  apiVersion: KERNEL_API_VERSION,
  setup(kernel) {
    for (const [type, verb, ms] of [
      ['lint', 'linted', 80],
      ['compile', 'compiled', 150],
      ['test', 'tested', 120],
      ['package', 'packaged', 60],
    ] as const) {
      kernel.hooks.jobType.for(`build.${type}`).tap('example.build-steps', () => step(verb, ms));
    }
  },
});

/** Runs the pipeline (leaves first, siblings in parallel), drawing it live on `output`. */
export async function runBuildPipeline(databaseFile: string, output: ProgressOutput) {
  const kernel = await createKernel({ plugins: [buildSteps] });
  const engine = await createJobEngine({ kernel, store: createSqlJobStore({ filename: databaseFile }) });
  const compile = (target: string) => ({
    type: 'build.compile',
    title: `Compile ${target}`,
    parameters: { target },
  });
  const treeId = await engine.createTree({
    type: 'build.package',
    title: 'Package release',
    children: [
      { type: 'build.test', title: 'Test', children: [compile('server'), compile('client')] },
      { type: 'build.lint', title: 'Lint' },
    ],
  });
  const tree = await showJobTreeProgress(engine, treeId, output);
  await engine.close();
  await engine.store.close();
  await kernel.close();
  return tree;
}
