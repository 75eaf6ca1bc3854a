import { describe, expect, it } from 'vitest';
import { jsonNestsDeeperThan } from '../../../src/roles/pacemaker';

describe('jsonNestsDeeperThan', () => {
  it('counts objects and arrays, the outermost being level 1', () => {
    expect(jsonNestsDeeperThan('{"a":[{"b":1}]}', 3)).toBe(false);
    expect(jsonNestsDeeperThan('{"a":[{"b":[]}]}', 3)).toBe(true);
    expect(jsonNestsDeeperThan('[[],[],[]]', 2)).toBe(false);
    expect(jsonNestsDeeperThan('"text"', 0)).toBe(false);
  });

  it('ignores brackets inside strings, escaped quotes included', () => {
    expect(jsonNestsDeeperThan('{"a":"[[[{{{"}', 1)).toBe(false);
    expect(jsonNestsDeeperThan('{"a":"\\"[[[","b":"\\\\"}', 1)).toBe(false);
    expect(jsonNestsDeeperThan('{"a":"\\\\","b":[[1]]}', 2)).toBe(true);
  });

  it('measures 100 000 levels without recursion', () => {
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    expect(jsonNestsDeeperThan(deep, 64)).toBe(true);
    expect(jsonNestsDeeperThan(deep, 100_000)).toBe(false);
  });
});
