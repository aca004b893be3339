import { gramBloom, gramChanges, gramsOf, termGrams } from './search-grams';

describe('search trigrams', () => {
  it('takes the distinct trigrams of each field, none across the newlines between them', () => {
    expect(gramsOf('abcd\nab\nbcde')).toEqual(['abc', 'bcd', 'cde']);
  });

  it('counts characters, not UTF-16 units', () => {
    expect(gramsOf('a😀bc')).toEqual(['a😀b', '😀bc']);
    expect(termGrams('müll')).toEqual(['mül', 'üll']);
  });

  it('has no trigram for a term shorter than three characters', () => {
    expect(termGrams('ab')).toEqual([]);
  });

  it('lists what an edit adds and removes', () => {
    expect(gramChanges('abcd', 'bcde')).toEqual({ added: ['cde'], removed: ['abc'] });
    expect(gramChanges(null, 'abc')).toEqual({ added: ['abc'], removed: [] });
    expect(gramChanges('abc', null)).toEqual({ added: [], removed: ['abc'] });
  });

  it('sets in the bloom of a user every bit of the bloom of each term the user holds', () => {
    const user = BigInt(gramBloom(gramsOf('jonas.tanaka.654321\njonas tanaka\njonas.tanaka.654321@example.com')));
    for (const term of ['tanaka', '654321@', 'as ta', 'jonas.t']) {
      const bloom = BigInt(gramBloom(termGrams(term)));
      expect(user & bloom).toBe(bloom);
    }
    expect(Number.isSafeInteger(gramBloom(gramsOf('x'.repeat(50) + 'abcdefghijklmnopqrstuvwxyz')))).toBe(true);
    expect(gramBloom([])).toBe(0);
  });
});
