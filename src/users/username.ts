/** The lookup key of a username or name: NFC, lower case. Case-insensitive, accent-sensitive (`José` ≠ `Jose`). */
export function nameKey(name: string): string {
  return name.normalize('NFC').toLowerCase();
}
