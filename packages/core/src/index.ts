// The public API of @paasmaker/core. Each concern's index names every export it offers, so
// nothing is exported by accident; this file only gathers them.

export * from './auth/index';
export * from './jobs/index';
export * from './kernel/index';
export * from './model/index';
export * from './node/index';
export * from './roles/pacemaker/index';
