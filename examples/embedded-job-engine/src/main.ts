import { runBuildPipeline } from './build-pipeline';

const tree = await runBuildPipeline('build-pipeline.db', process.stdout);
process.exitCode = tree.jobs[0]?.state === 'SUCCESS' ? 0 : 1;
