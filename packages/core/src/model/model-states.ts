/** States of an application version, in the order a deployment moves through them. */
export const VERSION_STATES = ['NEW', 'PREPARED', 'READY', 'RUNNING'] as const;
/** A state of an application version. */
export type VersionState = (typeof VERSION_STATES)[number];

import type { InstanceState, NodeState } from '../kernel/providers/lifecycle-events';

/** States of an instance (DESIGN.md); the type is the kernel's `InstanceState`. */
export const INSTANCE_STATES = [
  'ALLOCATED',
  'REGISTERED',
  'STARTING',
  'RUNNING',
  'SUSPENDED',
  'STOPPED',
  'ERROR',
  'DOWN',
  'DEREGISTERED',
] as const satisfies readonly InstanceState[];

/** States of a node: `ACTIVE` reports in time, `INACTIVE` then `DOWN` missed reports, `STOPPED` said goodbye. */
export const NODE_STATES = ['ACTIVE', 'INACTIVE', 'DOWN', 'STOPPED'] as const satisfies readonly NodeState[];

/** The auth source of users whose password the pacemaker itself checks. */
export const INTERNAL_AUTH_SOURCE = 'paasmaker.auth.internal';
