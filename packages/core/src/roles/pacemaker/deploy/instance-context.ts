import type { Application } from '../../../model/application-repository';
import type { Model } from '../../../model/create-model';
import type { Instance } from '../../../model/instance-repository';
import type { InstanceType } from '../../../model/instance-type-repository';
import type { ClusterNode } from '../../../model/node-repository';
import type { ApplicationVersion } from '../../../model/version-repository';
import type { Workspace } from '../../../model/workspace-repository';
import type { Route } from '../../router/route';
import { type HostnameParts, instanceHostnames } from './cluster-hostnames';

/** An instance with everything above it, as deploy jobs need it. */
export interface InstanceContext {
  instance: Instance;
  instanceType: InstanceType;
  version: ApplicationVersion;
  application: Application;
  workspace: Workspace;
  node: ClusterNode;
}

/** Loads an instance (by UUID) with its type, version, application, workspace and node. */
export async function loadInstanceContext(model: Model, instanceUuid: string): Promise<InstanceContext> {
  const instance = await model.instances.findByUuid(instanceUuid);
  if (!instance) return Promise.reject(new Error(`instance ${instanceUuid} is not in the model`));
  const instanceType = await model.instanceTypes.get(instance.instanceTypeId);
  const version = await model.versions.get(instanceType.versionId);
  const application = await model.applications.get(version.applicationId);
  const workspace = await model.workspaces.get(application.workspaceId);
  const node = await model.nodes.get(instance.nodeId);
  return { instance, instanceType, version, application, workspace, node };
}

/** The parts of the instance type's generated hostnames. */
export function hostnameParts(
  context: Omit<InstanceContext, 'instance' | 'node'>,
  clusterHostname: string,
): HostnameParts {
  return {
    version: context.version.number,
    instanceType: context.instanceType.name,
    application: context.application.name,
    workspaceStub: context.workspace.stub,
    clusterHostname,
  };
}

/** Where the router sends this instance's requests, or undefined when it has no port (standalone). */
export function routeTargetOf(context: InstanceContext): Route | undefined {
  if (context.instance.port === null || context.instanceType.standalone) return undefined;
  return {
    instanceId: context.instance.uuid,
    host: context.node.route,
    port: context.instance.port,
    versionTypeKey: String(context.instanceType.id),
    nodeId: context.node.uuid,
  };
}

/** The hostnames the instance is routed on and off, given whether its version is current now. */
export async function routingHostnamesOf(
  model: Model,
  context: InstanceContext,
  clusterHostname: string,
): Promise<{ yes: string[]; no: string[] }> {
  const manifestHostnames = await model.instanceTypes.hostnames(context.instanceType.id);
  return instanceHostnames(
    hostnameParts(context, clusterHostname),
    manifestHostnames,
    context.version.isCurrent,
  );
}
