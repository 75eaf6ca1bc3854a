// The public API of @paasmaker/core. Each concern's index names every export it offers, so
// nothing is exported by accident; this file only gathers them.

export * from './auth/index';
export * from './commands/index';
export * from './jobs/index';
export { type JobLogSources, readJobLog } from './jobs/logs/index';
export * from './kernel/index';
export * from './manifest/index';
export * from './model/index';
export * from './node/index';
export * from './packages/index';
export * from './process/index';
export * from './roles/heart/index';
export * from './roles/pacemaker/cron/index';
export * from './roles/pacemaker/deploy/index';
export * from './roles/pacemaker/index';
export * from './roles/router/index';
export * from './services/index';
export * from './tenancy/index';
