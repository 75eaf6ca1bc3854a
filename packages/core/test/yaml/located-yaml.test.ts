import { describe, expect, it } from 'vitest';
import { LocatedYaml, pathOfPointer } from '../../src/yaml/located-yaml';

/** Nine levels of nine aliases each: far more than 100 nodes once expanded. */
const aliasBomb = [
  'a: &a [x, x, x, x, x, x, x, x, x]',
  ...Array.from({ length: 8 }, (_, level) => {
    const [name, previous] = [String.fromCharCode(98 + level), String.fromCharCode(97 + level)];
    return `${name}: &${name} [${Array(9).fill(`*${previous}`).join(', ')}]`;
  }),
].join('\n');

describe('LocatedYaml', () => {
  const text = `defaults: &defaults
  port: 8080
  weight: 5.30
services:
  - name: web
    <<: *defaults
  - name: worker
    settings: *defaults
`;

  it('names the line of keys, list items and values reached through an alias', () => {
    const yaml = new LocatedYaml(text);
    expect(yaml.syntaxProblems).toEqual([]);
    expect(yaml.lineOf([])).toBe(1);
    expect(yaml.lineOf(['services'])).toBe(4);
    expect(yaml.lineOf(['services', 1])).toBe(7);
    expect(yaml.lineOf(['services', 1, 'settings', 'port'])).toBe(2);
  });

  it('falls back to the deepest value found where a path leaves the document', () => {
    const yaml = new LocatedYaml(text);
    expect(yaml.lineOf(['services', 0, 'missing', 'deeper'])).toBe(5);
    expect(yaml.lineOf(['services', 9])).toBe(4);
    expect(yaml.lineOf(['defaults', 'port', 'below a scalar'])).toBe(2);
  });

  it('keeps the text a number was written as', () => {
    const yaml = new LocatedYaml(text);
    expect(yaml.numberSourceAt(['defaults', 'weight'])).toBe('5.30');
    expect(yaml.numberSourceAt(['services', 1, 'settings', 'port'])).toBe('8080');
    expect(yaml.numberSourceAt(['services', 0, 'name'])).toBeUndefined();
    expect(yaml.numberSourceAt(['nowhere'])).toBeUndefined();
  });

  it('reports syntax errors and warnings with their lines', () => {
    const yaml = new LocatedYaml('a: 1\nb: 2\na: 3\nc: [\n');
    expect(yaml.syntaxProblems.map((problem) => problem.line)).toContain(3);
    expect(yaml.syntaxProblems.every((problem) => !problem.message.includes('\n'))).toBe(true);
  });

  it('gives the data, and refuses aliases that expand without bound', () => {
    expect(new LocatedYaml('a: [1, 2]\n').data()).toEqual({ ok: true, data: { a: [1, 2] } });
    const bomb = new LocatedYaml(aliasBomb);
    expect(bomb.syntaxProblems).toEqual([]);
    expect(bomb.data()).toMatchObject({ ok: false, message: expect.stringContaining('alias') });
  });

  it('reads JSON pointers as paths, list indexes as numbers', () => {
    expect(pathOfPointer('')).toEqual([]);
    expect(pathOfPointer('/instances/0/name')).toEqual(['instances', 0, 'name']);
    expect(pathOfPointer('/a~1b/c~0d/01')).toEqual(['a/b', 'c~d', '01']);
  });
});
