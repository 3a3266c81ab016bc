import { describe, expect, it } from 'vitest';
import { nestingDepthOf } from './json-depth.js';

const depthOf = (text: string) => nestingDepthOf(Buffer.from(text));
const nested = (levels: number) => '['.repeat(levels) + ']'.repeat(levels);

describe('nestingDepthOf', () => {
  it.each([
    ['a scalar', '42', 0],
    ['a string', '"{[{["', 0],
    ['an empty object', '{}', 1],
    ['a flat object', '{"type":"ContactCreate","tags":[]}', 2],
    ['siblings, not nesting', '{"a":{},"b":{},"c":[[]]}', 3],
    ['brackets inside strings', '{"a":"{{{[[[","b":"]]]}}}"}', 1],
    ['an escaped quote that does not end the string', '{"a":"say \\"{[\\" twice"}', 1],
    ['an escaped backslash that does end the string', '{"a":"C:\\\\","b":[[]]}', 3],
    ['a \\u escape', '{"a":"\\u0022[["}', 1],
    ['multi-byte characters', '{"name":"Zoë ✓ 😀","x":[{}]}', 3],
    ['whitespace between tokens', ' { "a" : [ { } ] } ', 3],
  ])('%s', (_name, text, depth) => {
    expect(depthOf(text)).toBe(depth);
  });

  it('counts exactly to the limit and one past it', () => {
    expect(depthOf(nested(64))).toBe(64);
    expect(depthOf(`{"a":${nested(63)}}`)).toBe(64);
    expect(depthOf(`{"a":${nested(64)}}`)).toBe(65);
  });

  it('measures 10,000 levels without recursion', () => {
    expect(depthOf(`{"a":${'{"b":'.repeat(9_999)}1${'}'.repeat(9_999)}}`)).toBe(10_000);
    expect(depthOf(nested(100_000))).toBe(100_000);
  });
});
