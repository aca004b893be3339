/**
 * Trigrams for substring search: any substring of three characters or more of a user's search text contains the
 * trigrams of the search term, so the users holding a term's rarest trigram are all the users that can match it.
 * Characters are code points (what MySQL's VARCHAR(3) and SQLite count), within one field (searchText joins the
 * username, full name and email with newlines, and no term spans two of them).
 */
export const GRAM_LENGTH = 3;

/**
 * A trigram held by more users than this is `common`: no longer posted per user (a term whose trigrams are all
 * common matches densely, and a scan in page order finds a page soon), so the index stays a tenth of its full size.
 * The index is built with this value and these functions: changing either needs a migration that rebuilds it.
 */
export const COMMON_GRAM_USERS = 5000;

function gramsOfField(field: string, into: Set<string>): void {
  const chars = Array.from(field);
  for (let i = 0; i + GRAM_LENGTH <= chars.length; i++) {
    into.add(chars.slice(i, i + GRAM_LENGTH).join(''));
  }
}

/** The distinct trigrams of a user's search text, sorted (writes take their rows' locks in one order). */
export function gramsOf(searchText: string): string[] {
  const grams = new Set<string>();
  for (const field of searchText.split('\n')) {
    gramsOfField(field, grams);
  }
  return [...grams].sort();
}

/** Bits of the trigram bloom: a safe integer on both databases and in JavaScript. */
const BLOOM_BITS = 53;

/** FNV-1a over UTF-16 units, so every replica and migration sets the same bit for a trigram. */
function bloomBit(gram: string): bigint {
  let hash = 0x811c9dc5;
  for (let i = 0; i < gram.length; i++) {
    hash = Math.imul(hash ^ gram.charCodeAt(i), 0x01000193) >>> 0;
  }
  return 1n << BigInt(hash % BLOOM_BITS);
}

/**
 * A 53-bit bloom filter of trigrams (`users.gram_bloom`): a user can hold a term only if its bloom has every bit of
 * the term's. It sits in the index that a scan for a term of common trigrams walks, and turns away ~95% of the
 * users there before the LIKE is evaluated.
 */
export function gramBloom(grams: readonly string[]): number {
  let bloom = 0n;
  for (const gram of grams) {
    bloom |= bloomBit(gram);
  }
  return Number(bloom);
}

/** The distinct trigrams of a (normalised) search term; none when it is shorter than a trigram. */
export function termGrams(term: string): string[] {
  const grams = new Set<string>();
  gramsOfField(term, grams);
  return [...grams];
}

/** What changes in the trigram index when a user's search text goes from `before` to `after` (null: none). */
export function gramChanges(before: string | null, after: string | null): { added: string[]; removed: string[] } {
  const old = new Set(before === null ? [] : gramsOf(before));
  const next = new Set(after === null ? [] : gramsOf(after));
  return {
    added: [...next].filter((gram) => !old.has(gram)).sort(),
    removed: [...old].filter((gram) => !next.has(gram)).sort(),
  };
}
