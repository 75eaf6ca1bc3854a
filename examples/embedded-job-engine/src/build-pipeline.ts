import { setTimeout as sleep } from 'node:timers/promises';
import {
  createJobEngine,
  createKernel,
  createSqlJobStore,
  definePlugin,
  type ProgressOutput,
  showJobTreeProgress,
} from '@paasmaker/core';

// Every build step is a job type: it logs to its own job log and passes a result up the tree.
const durations = { lint: 80, compile: 150, test: 120, package: 60 };
const buildSteps = definePlugin({
  name: 'example.build-steps',
  version: '1.0.0',
  apiVersion: 1,
  setup(kernel) {
    for (const [step, ms] of Object.entries(durations)) {
      kernel.hooks.jobType.for(`build.${step}`).tap('example.build-steps', () => ({
        parametersSchema: { type: 'object', properties: { target: { type: 'string', default: 'all' } } },
        async run(job) {
          const done = `${step} ${job.parameters.target}`;
          job.log.info(`${done}, after ${Object.keys(job.childResults).length} steps`);
          await sleep(ms, undefined, { signal: job.signal });
          return { result: done, context: { [done]: 'done' } };
        },
      }));
    }
  },
});

/** Runs the pipeline (leaves first, siblings in parallel) on SQLite, drawing it live on `output`. */
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
