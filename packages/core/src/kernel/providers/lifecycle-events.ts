/** States of a job; `SUCCESS`, `FAILED` and `ABORTED` are final. */
export type JobState = 'NEW' | 'WAITING' | 'RUNNING' | 'SUCCESS' | 'FAILED' | 'ABORTED';

/** States of an application instance. */
export type InstanceState =
  | 'ALLOCATED'
  | 'REGISTERED'
  | 'STARTING'
  | 'RUNNING'
  | 'SUSPENDED'
  | 'STOPPED'
  | 'ERROR'
  | 'DOWN'
  | 'DEREGISTERED';

/** States of a node as the pacemaker sees it. */
export type NodeState = 'ACTIVE' | 'INACTIVE' | 'DOWN' | 'STOPPED';

/** A job entered a state (published by the job store; every node sees every change). */
export interface JobStateChange {
  jobId: string;
  treeId: string;
  parentId: string | null;
  nodeId: string;
  state: JobState;
  /** One line saying why, e.g. the failure's message. */
  summary?: string;
}

/** An instance moved from one state to another. */
export interface InstanceStateChange {
  instanceId: string;
  nodeId: string;
  from: InstanceState;
  to: InstanceState;
}

/** A node moved from one state to another (`from` is absent when it first registers). */
export interface NodeStateChange {
  nodeId: string;
  from?: NodeState;
  to: NodeState;
}
