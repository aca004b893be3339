import { hasLoneSurrogate, jsonDepth } from './json-body';

describe('jsonDepth', () => {
  it('counts nesting of objects and arrays', () => {
    expect(jsonDepth('1')).toBe(0);
    expect(jsonDepth('{"a":[1,{"b":2}]}')).toBe(3);
    expect(jsonDepth('['.repeat(100) + ']'.repeat(100))).toBe(100);
  });

  it('ignores brackets inside strings, escaped quotes included', () => {
    expect(jsonDepth('{"a":"[[[{{{\\"[[["}')).toBe(1);
  });

  it('stops early past the limit', () => {
    expect(jsonDepth('['.repeat(100_000), 32)).toBe(33);
  });
});

describe('hasLoneSurrogate', () => {
  it('finds lone surrogates in values and keys, not in pairs', () => {
    expect(hasLoneSurrogate({ a: ['x', { b: 'a\ud800b' }] })).toBe(true);
    expect(hasLoneSurrogate({ '\udfff': 1 })).toBe(true);
    expect(hasLoneSurrogate({ a: '𝒜 👩‍👩‍👧', b: 1, c: null })).toBe(false);
  });
});
