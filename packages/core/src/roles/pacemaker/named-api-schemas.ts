import type { JsonSchemaObject } from '../../kernel/json-schema';
import {
  apiKeyData,
  applicationData,
  applicationInstancesData,
  configData,
  meData,
  nodeData,
  roleAllocationData,
  roleData,
  serviceData,
  sessionData,
  treeData,
  treeListData,
  treeStartedData,
  userData,
  versionData,
  workspaceData,
} from './api-data-schemas';
import { statsSeriesSchema } from './stats-schemas';

/**
 * The answers the OpenAPI document names once under `components.schemas` and `$ref`s from each
 * route (and from each other), so the clients generated from it get one type per record.
 */
export const NAMED_API_SCHEMAS: Readonly<Record<string, JsonSchemaObject>> = {
  Workspace: workspaceData,
  Application: applicationData,
  Version: versionData,
  Service: serviceData,
  Node: nodeData,
  User: userData,
  ApiKey: apiKeyData,
  Role: roleData,
  RoleAllocation: roleAllocationData,
  Me: meData,
  Session: sessionData,
  TreeStarted: treeStartedData,
  Config: configData,
  ApplicationInstances: applicationInstancesData,
  JobTree: treeData,
  JobTreeList: treeListData,
  RouterStatsSeries: statsSeriesSchema,
};
