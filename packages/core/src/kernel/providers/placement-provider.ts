import type { InferFromSchema, JsonObject, JsonSchema, JsonSchemaObject } from '../json-schema';
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

/** A request to choose nodes for the instances of one instance type; `P` types its parameters. */
export interface PlacementRequest<P = JsonObject> {
  /** Active heart nodes the job engine can run jobs on, least loaded first. */
  candidates: PlacementCandidate[];
  /** How many instances to place. */
  quantity: number;
  /** Runtime name and version the instance type needs. */
  runtime: { name: string; version: string };
  /** The manifest's placement parameters as written, validated against `parametersSchema`. */
  parameters: P;
}

/**
 * Chooses where instances run (the original's PLACEMENT mode). Registered on `hooks.placement`.
 * `P` is the type of its parameters: write one with {@link definePlacement} to have it inferred.
 */
export interface PlacementProvider<P = JsonObject> {
  parametersSchema?: JsonSchema;
  /** Resolve with one candidate per instance (a node may repeat); reject if none fits. */
  choose(request: PlacementRequest<P>, call: ProviderCall): Promise<PlacementCandidate[]>;
}

/** What {@link definePlacement} takes: a {@link PlacementProvider} whose parameters schema is `S`. */
export interface PlacementDeclaration<S extends JsonSchemaObject>
  extends PlacementProvider<InferFromSchema<S, false>> {
  readonly parametersSchema: S;
}

/**
 * Declares a placement policy whose `request.parameters` are typed from its `parametersSchema`.
 * They are validated as written (defaults are not filled in), so a property is present only when
 * `required`.
 */
export function definePlacement<const S extends JsonSchemaObject>(
  declaration: PlacementDeclaration<S>,
): PlacementProvider<InferFromSchema<S, false>> {
  return declaration;
}
