/** Environment variables given to an instance's process. */
export type InstanceEnvironment = Record<string, string>;

/** Which instance an environment is being built for. */
export interface InstanceEnvironmentContext {
  workspace: string;
  application: string;
  version: number;
  instanceType: string;
  instanceId: string;
  /** The instance's port; absent for standalone instances. */
  port?: number;
}
