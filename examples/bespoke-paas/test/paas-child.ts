// The bespoke PaaS in a process of its own, for the kill -9 test: starts it on PAAS_DATA with
// the fixed ports PAAS_API_PORT and PAAS_ROUTER_PORT, deploys the git repository PAAS_REPO, prints
// `{ routerPort, instances: [{ instanceId, port }] }` as one JSON line, then waits to be killed.
// Run with `node --import tsx` and TSX_TSCONFIG_PATH naming a tsconfig whose paths map the
// @paasmaker packages to their sources (see heart-restart.test.ts).
import './lua-text-loader';

const { deployFromGit, startBespokePaas } = await import('../src/bespoke-paas');
const env = (name: string) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};
const node = await startBespokePaas({
  dataFolder: env('PAAS_DATA'),
  apiPort: Number(env('PAAS_API_PORT')),
  routerPort: Number(env('PAAS_ROUTER_PORT')),
  instancePorts: JSON.parse(env('PAAS_INSTANCE_PORTS')) as { min: number; max: number },
});
const tree = await deployFromGit(node, env('PAAS_REPO'));
if (tree.jobs[0]?.state !== 'SUCCESS') {
  process.stderr.write(
    `deploy ended ${tree.jobs[0]?.state}: ${tree.jobs.map((job) => job.summary).join('; ')}\n`,
  );
  process.exit(1);
}
const instances = (node.heart?.instances() ?? []).map((instance) => ({
  instanceId: instance.instanceId,
  port: instance.port,
}));
process.stdout.write(`${JSON.stringify({ routerPort: node.router?.port, instances })}\n`);
setInterval(() => {}, 60_000);
