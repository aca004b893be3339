/**
 * A LIKE pattern matching `text` anywhere, with `!` escaping LIKE's wildcards: use as `col LIKE :p ESCAPE '!'`.
 * (`!` rather than a backslash, which MySQL and SQLite read differently inside string literals.)
 */
export function containsPattern(text: string): string {
  return `%${escapeLike(text)}%`;
}

/** A LIKE pattern matching values that start with `text` (an index range), escaped as `containsPattern`. */
export function prefixPattern(text: string): string {
  return `${escapeLike(text)}%`;
}

function escapeLike(text: string): string {
  return text.replace(/[!%_]/g, '!$&');
}
