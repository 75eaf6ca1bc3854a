// Starts the bespoke PaaS, deploys examples/apps/hello-node from this repository's git history,
// prints the URL it answers on, and runs until Ctrl-C.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { deployFromGit, startBespokePaas } from './bespoke-paas';

const repository = fileURLToPath(new URL('../../..', import.meta.url));
const node = await startBespokePaas({ dataFolder: path.join(repository, '.paasmaker-bespoke') });
process.once('SIGINT', () => void node.close().then(() => process.exit(0)));
await deployFromGit(node, repository, 'examples/apps/hello-node');
const port = new URL(node.router?.url ?? 'http://localhost').port;
console.log(
  `hello-node answers on http://web.hello-node.default.paasmaker.localhost:${port}/ (Ctrl-C stops)`,
);
