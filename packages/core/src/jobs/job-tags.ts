/** Tags of a job tree: `{ workspace: 'w1', application: 'a7' }` or ready-made `key:value` strings. */
export type JobTags = Readonly<Record<string, string>> | readonly string[];

/** The stored form of tags: `key:value` strings, sorted, without duplicates. */
export function toTagStrings(tags: JobTags | undefined): string[] {
  if (!tags) return [];
  const strings = Array.isArray(tags)
    ? [...(tags as readonly string[])]
    : Object.entries(tags).map(([key, value]) => `${key}:${value}`);
  return [...new Set(strings)].sort();
}
