// @ts-nocheck: a fixture deployed as plain JavaScript, not part of the typed sources.
// The attacker's probe, deployed as tenant code: each attempt to reach what belongs to the node
// or to another tenant, with what it got. `node probe.cjs <stage>` prints one JSON line; the app
// (server.cjs) answers the same JSON over HTTP. Targets come from targets.json beside it.
const fs = require('node:fs');
const path = require('node:path');

function attempt(action) {
  try {
    const got = action();
    return `LEAKED: ${String(got).slice(0, 2000)}`;
  } catch (error) {
    return `denied (${error.code || error.message})`;
  }
}

function probe(stage) {
  const targets = JSON.parse(fs.readFileSync(path.join(__dirname, 'targets.json'), 'utf8'));
  const { dataFolder, nodePid } = targets;
  const results = {
    tokensFile: attempt(() => fs.readFileSync(path.join(dataFolder, 'tokens.json'), 'utf8')),
    database: attempt(() => fs.readFileSync(path.join(dataFolder, 'pacemaker.db')).length),
    catalogue: attempt(() => fs.readFileSync(path.join(dataFolder, 'heart', 'catalogue.json'), 'utf8')),
    listDataFolder: attempt(() => fs.readdirSync(dataFolder).join(',')),
    listInstances: attempt(() => fs.readdirSync(path.join(dataFolder, 'heart', 'instances')).join(',')),
    jobLogs: attempt(() => fs.readdirSync(path.join(dataFolder, 'job-logs')).join(',')),
    packages: attempt(() => fs.readdirSync(path.join(dataFolder, 'packages')).join(',')),
    gitCache: attempt(() => fs.readdirSync(path.join(dataFolder, 'git-cache')).join(',')),
    nodeEnviron: attempt(() => fs.readFileSync(`/proc/${nodePid}/environ`, 'utf8')),
    writeDataFolder: attempt(() => fs.writeFileSync(path.join(dataFolder, `pwned-${stage}`), 'x')),
    writeInstances: attempt(() =>
      fs.writeFileSync(path.join(dataFolder, 'heart', 'instances', `pwned-${stage}`), 'x'),
    ),
    signalNode: attempt(() => {
      process.kill(nodePid, 'SIGCONT');
      return 'signalled';
    }),
  };
  if (targets.victimFolder)
    results.victimFolder = attempt(() => fs.readdirSync(targets.victimFolder).join(','));
  if (targets.victimPid)
    results.victimEnviron = attempt(() => fs.readFileSync(`/proc/${targets.victimPid}/environ`, 'utf8'));
  results.ownEnvironment = Object.keys(process.env).sort().join(',');
  results.ownEnvironmentValues = Object.values(process.env).join('\n');
  return { stage, uid: process.getuid(), results };
}

module.exports = { probe };
if (require.main === module) console.log(`PROBE ${JSON.stringify(probe(process.argv[2] || 'command'))} END`);
