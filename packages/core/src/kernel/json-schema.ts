/** Any value that survives `JSON.stringify` and `JSON.parse` unchanged. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** A JSON object, the shape of plugin parameters, job results and contexts. */
export type JsonObject = { [key: string]: JsonValue };

/** The names JSON Schema's `type` keyword accepts. */
export type JsonTypeName = 'string' | 'number' | 'integer' | 'boolean' | 'null' | 'array' | 'object';

/**
 * A JSON Schema as ajv validates it (draft-07 keywords). Declared here rather than imported so
 * that a misspelt keyword or type name is a compile error and inference stays fast.
 */
export type JsonSchema = boolean | JsonSchemaObject;

/** The object form of {@link JsonSchema}. */
export interface JsonSchemaObject {
  readonly $id?: string;
  readonly $ref?: string;
  readonly $comment?: string;
  readonly definitions?: { readonly [name: string]: JsonSchema };
  readonly title?: string;
  readonly description?: string;
  readonly examples?: readonly JsonValue[];
  readonly default?: JsonValue;
  readonly type?: JsonTypeName | readonly JsonTypeName[];
  readonly enum?: readonly JsonValue[];
  readonly const?: JsonValue;
  readonly anyOf?: readonly JsonSchema[];
  readonly oneOf?: readonly JsonSchema[];
  readonly allOf?: readonly JsonSchema[];
  readonly not?: JsonSchema;
  readonly if?: JsonSchema;
  readonly then?: JsonSchema;
  readonly else?: JsonSchema;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly pattern?: string;
  readonly format?: string;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly exclusiveMinimum?: number;
  readonly exclusiveMaximum?: number;
  readonly multipleOf?: number;
  readonly items?: JsonSchema;
  readonly minItems?: number;
  readonly maxItems?: number;
  readonly uniqueItems?: boolean;
  readonly properties?: { readonly [name: string]: JsonSchema };
  readonly required?: readonly string[];
  readonly additionalProperties?: JsonSchema;
  readonly patternProperties?: { readonly [pattern: string]: JsonSchema };
  readonly propertyNames?: JsonSchema;
  readonly minProperties?: number;
  readonly maxProperties?: number;
}

/**
 * The TypeScript type of the data a JSON Schema accepts. `D` says whether ajv applied the
 * schema's defaults first: then (`true`, plugin options and job parameters) a property is present
 * when it is `required` or has a `default`; otherwise (`false`, provider parameters, which are
 * checked as written) only when it is `required`. An object schema that names neither
 * `properties` nor `additionalProperties` accepts any object: a {@link JsonObject}.
 */
export type InferFromSchema<S, D extends boolean = true> = S extends true
  ? JsonValue
  : S extends false
    ? never
    : S extends { readonly const: infer C }
      ? C
      : S extends { readonly enum: readonly (infer E)[] }
        ? E
        : S extends { readonly anyOf: readonly (infer A)[] }
          ? InferFromSchema<A, D>
          : S extends { readonly oneOf: readonly (infer A)[] }
            ? InferFromSchema<A, D>
            : S extends { readonly type: infer T }
              ? InferFromType<T, S, D>
              : JsonValue;

type InferFromType<T, S, D extends boolean> = T extends readonly (infer U)[]
  ? InferFromType<U, S, D>
  : T extends 'string'
    ? string
    : T extends 'number' | 'integer'
      ? number
      : T extends 'boolean'
        ? boolean
        : T extends 'null'
          ? null
          : T extends 'array'
            ? S extends { readonly items: infer I }
              ? InferFromSchema<I, D>[]
              : JsonValue[]
            : T extends 'object'
              ? S extends { readonly properties: unknown } | { readonly additionalProperties: unknown }
                ? InferObject<S, D>
                : JsonObject
              : never;

type PresentKeys<S, P, D extends boolean> =
  | (S extends { readonly required: readonly (infer R)[] } ? R : never)
  | (D extends true
      ? { [K in keyof P]: P[K] extends { readonly default: unknown } ? K : never }[keyof P]
      : never);

type Flatten<T> = { [K in keyof T]: T[K] } & {};

type InferObject<S, D extends boolean> = Flatten<
  (S extends { readonly properties: infer P }
    ? { -readonly [K in keyof P as K extends PresentKeys<S, P, D> ? K : never]: InferFromSchema<P[K], D> } & {
        -readonly [K in keyof P as K extends PresentKeys<S, P, D> ? never : K]?: InferFromSchema<P[K], D>;
      }
    : unknown) &
    (S extends { readonly additionalProperties: infer X }
      ? X extends false | undefined
        ? unknown
        : X extends true
          ? { [key: string]: JsonValue }
          : { [key: string]: InferFromSchema<X, D> }
      : unknown)
>;
