import { nestsDeeperThan } from './nesting.js';

/** `levels` arrays or objects inside each other, built without recursion. */
function nested(levels: number, kind: 'array' | 'object'): unknown {
  let value: unknown = 'leaf';
  for (let i = 0; i < levels; i++) value = kind === 'array' ? [value] : { a: value };
  return value;
}

describe('nestsDeeperThan', () => {
  it.each([
    ['a string', 0, 'text'],
    ['null', 0, null],
    ['an empty object', 1, {}],
    ['a flat body', 2, { name: 'x', tags: ['a', 'b'] }],
    ['a mixed body', 4, { a: [{ b: [1] }] }],
  ])('measures %s as %i level(s)', (_label, depth, value) => {
    expect(nestsDeeperThan(value, depth)).toBe(false);
    if (depth > 0) expect(nestsDeeperThan(value, depth - 1)).toBe(true);
  });

  it.each(['array', 'object'] as const)('allows 32 levels of %ss and refuses 33', (kind) => {
    expect(nestsDeeperThan(nested(32, kind), 32)).toBe(false);
    expect(nestsDeeperThan(nested(33, kind), 32)).toBe(true);
  });

  it('finds a deep branch next to shallow ones', () => {
    expect(nestsDeeperThan({ a: 1, b: [1, 2], c: { d: nested(40, 'array') } }, 32)).toBe(true);
  });

  it('walks 200,000 levels without overflowing the stack', () => {
    const deep = JSON.parse('['.repeat(200_000) + ']'.repeat(200_000)) as unknown;
    expect(nestsDeeperThan(deep, 32)).toBe(true);
    expect(nestsDeeperThan(deep, 200_000)).toBe(false);
  });
});
