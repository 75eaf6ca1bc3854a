/** The job types of deploys: run on the pacemaker (`prepare.*`, `coordinate.*`, `routing.*`) or on a heart (`heart.*`). */
export const DEPLOY_JOBS = {
  deploy: 'paasmaker.job.coordinate.deploy',
  scm: 'paasmaker.job.prepare.scm',
  manifest: 'paasmaker.job.prepare.manifestreader',
  prepare: 'paasmaker.job.prepare.preparer',
  pack: 'paasmaker.job.prepare.packer',
  versionState: 'paasmaker.job.coordinate.versionstate',
  instanceRegistered: 'paasmaker.job.coordinate.storeport',
  instanceState: 'paasmaker.job.coordinate.instancestate',
  makeCurrent: 'paasmaker.job.coordinate.currentrequest',
  drain: 'paasmaker.job.coordinate.drain',
  deleteVersion: 'paasmaker.job.coordinate.deleteversion',
  routing: 'paasmaker.job.routing.update',
  heartRegister: 'paasmaker.job.heart.register',
  heartStartup: 'paasmaker.job.heart.startup',
  heartShutdown: 'paasmaker.job.heart.shutdown',
  heartDeregister: 'paasmaker.job.heart.deregister',
} as const;
