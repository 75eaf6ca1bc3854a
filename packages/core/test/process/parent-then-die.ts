// Run by process-group.test.ts as a separate Node process: starts a group, prints its record,
// then waits to be killed with SIGKILL so the test can check the group outlives it.
import { startProcessGroup } from '../../src/process/index';

const [cwd, logFile, stateDirectory] = process.argv.slice(2) as [string, string, string];
const record = await startProcessGroup({
  command: ['/bin/sh', '-c', 'echo started; exec sleep 1000'],
  cwd,
  env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
  logFile,
  stateDirectory,
});
process.stdout.write(`${JSON.stringify(record)}\n`);
setInterval(() => {}, 60_000);
