import type { JsonObject, JsonSchema } from '../json-schema';
import type { ProviderCall } from './provider-call';

/** A node that could host instances, as placement policies see it. */
export interface PlacementCandidate {
  nodeId: string;
  name: string;
  /** Lower is less loaded. */
  score: number;
  /** Runtime name to the versions the node offers. */
  runtimes: Record<string, string[]>;
  /** Free-form tags the node reports (platform, zone...). */
  tags: JsonObject;
}

/** A request to choose nodes for the instances of one instance type. */
export interface PlacementRequest {
  /** Active heart nodes the job engine can run jobs on, least loaded first. */
  candidates: PlacementCandidate[];
  /** How many instances to place. */
  quantity: number;
  /** Runtime name and version the instance type needs. */
  runtime: { name: string; version: string };
  /** The manifest's placement parameters, validated against `parametersSchema`. */
  parameters: JsonObject;
}

/** Chooses where instances run (the original's PLACEMENT mode). Registered on `hooks.placement`. */
export interface PlacementProvider {
  parametersSchema?: JsonSchema;
  /** Resolve with one candidate per instance (a node may repeat); reject if none fits. */
  choose(request: PlacementRequest, call: ProviderCall): Promise<PlacementCandidate[]>;
}
