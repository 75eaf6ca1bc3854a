/** Parsed YAML of unknown shape, read defensively before (or despite) schema validation. */
export type Loose = Record<string, unknown>;

/** `value` if it is a mapping, else `undefined`. */
export const asObject = (value: unknown): Loose | undefined =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Loose) : undefined;

/** `value` if it is a list, else `[]`. */
export const asList = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
