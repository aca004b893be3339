/**
 * A LIKE pattern matching `text` anywhere, with `!` escaping LIKE's wildcards: use as `col LIKE :p ESCAPE '!'`.
 * (`!` rather than a backslash, which MySQL and SQLite read differently inside string literals.)
 */
export function containsPattern(text: string): string {
  return `%${text.replace(/[!%_]/g, '!$&')}%`;
}
