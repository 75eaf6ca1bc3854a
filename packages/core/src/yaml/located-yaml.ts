import {
  type Document,
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  parseDocument,
} from 'yaml';

/** A path into a YAML document: map keys and list indexes. */
export type YamlPath = readonly (string | number)[];

/** A YAML syntax error or warning, on the line where it is. */
export interface YamlSyntaxProblem {
  /** 1-based line. */
  readonly line: number;
  /** The first line of the parser's message. */
  readonly message: string;
}

/** The value the text of a {@link LocatedYaml} holds, or why it holds none. */
export type YamlData =
  | { readonly ok: true; readonly data: unknown }
  | { readonly ok: false; readonly message: string };

/**
 * The path of a JSON pointer such as ajv's `instancePath` (`/instances/0/name`); segments that
 * are list indexes become numbers.
 */
export function pathOfPointer(pointer: string): (string | number)[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((part) => (/^(0|[1-9]\d*)$/.test(part) ? Number(part) : part));
}

/**
 * A YAML document (the `yaml` package's safe core schema: no custom tags) that knows where each
 * of its values is written, so that a problem found in the data can name its line.
 */
export class LocatedYaml {
  /** Syntax errors and warnings; when there are any, read no data. */
  readonly syntaxProblems: readonly YamlSyntaxProblem[];
  private readonly doc: Document;
  private readonly lineCounter = new LineCounter();

  constructor(text: string) {
    this.doc = parseDocument(text, { lineCounter: this.lineCounter, prettyErrors: false });
    this.syntaxProblems = [...this.doc.errors, ...this.doc.warnings].map((error) => ({
      line: error.linePos?.[0].line ?? this.lineAt(error.pos[0]),
      message: error.message.split('\n')[0] ?? error.message,
    }));
  }

  /** The document as plain data; refused when aliases expand to more than 100 nodes (a YAML bomb). */
  data(): YamlData {
    try {
      return { ok: true, data: this.doc.toJS({ maxAliasCount: 100 }) };
    } catch (cause) {
      return { ok: false, message: (cause as Error).message };
    }
  }

  /**
   * The 1-based line where the value at `path` is written: the key of a map entry, the item of a
   * list. Where the path leaves the document, the line of the deepest value found.
   */
  lineOf(path: YamlPath): number {
    return this.lineAt(this.locate(path).offset);
  }

  /** The text a number at `path` was written as (`5.30`), or `undefined` if there is none. */
  numberSourceAt(path: YamlPath): string | undefined {
    const { node, found } = this.locate(path);
    if (!found || !isScalar(node) || typeof node.value !== 'number') return undefined;
    return node.source ?? String(node.value);
  }

  private lineAt(offset: number): number {
    return this.lineCounter.linePos(offset).line;
  }

  private locate(path: YamlPath): { offset: number; node: unknown; found: boolean } {
    const doc = this.doc;
    let node: unknown = doc.contents;
    let offset = (doc.contents as Node | null)?.range?.[0] ?? 0;
    for (const segment of path) {
      if (isAlias(node)) node = node.resolve(doc);
      if (isMap(node)) {
        const pair = node.items.find(
          (item) =>
            isPair(item) && String(isScalar(item.key) ? item.key.value : item.key) === String(segment),
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
}
