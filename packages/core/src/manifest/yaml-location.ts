import { type Document, isAlias, isMap, isPair, isScalar, isSeq, type Node } from 'yaml';

/** A path into a YAML document: map keys and list indexes. */
export type YamlPath = readonly (string | number)[];

/** The field name of a path as manifest messages print it: `instances.0.runtime.plugin`. */
export function fieldName(path: YamlPath): string {
  return path.length === 0 ? '(top level)' : path.join('.');
}

/** The path of an ajv `instancePath` (`/instances/0/name`). */
export function pathOfPointer(pointer: string): (string | number)[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((part) => (/^(0|[1-9]\d*)$/.test(part) ? Number(part) : part));
}

/**
 * Finds the node at `path` and the source offset where it is written: the key of a map entry,
 * the item of a list. Where the path leaves the document, the deepest node found stands in.
 */
export function locate(doc: Document, path: YamlPath): { offset: number; node: unknown; found: boolean } {
  let node: unknown = doc.contents;
  let offset = (doc.contents as Node | null)?.range?.[0] ?? 0;
  for (const segment of path) {
    if (isAlias(node)) node = node.resolve(doc);
    if (isMap(node)) {
      const pair = node.items.find(
        (item) => isPair(item) && String(isScalar(item.key) ? item.key.value : item.key) === String(segment),
      );
      if (!pair) return { offset, node, found: false };
      offset = (pair.key as Node | null)?.range?.[0] ?? offset;
      node = pair.value;
    } else if (isSeq(node) && typeof segment === 'number') {
      const item = node.items[segment] as Node | undefined;
      if (!item) return { offset, node, found: false };
      offset = item.range?.[0] ?? offset;
      node = item;
    } else return { offset, node, found: false };
  }
  if (isAlias(node)) node = node.resolve(doc);
  return { offset, node, found: true };
}

/** The text a number scalar at `path` was written as (`5.30`), or `undefined`. */
export function numberSourceAt(doc: Document, path: YamlPath): string | undefined {
  const { node, found } = locate(doc, path);
  if (!found || !isScalar(node) || typeof node.value !== 'number') return undefined;
  return node.source ?? String(node.value);
}
