/** The lookup key of a username or name: NFC, lower case. Case-insensitive, accent-sensitive (`José` ≠ `Jose`). */
export function nameKey(name: string): string {
  return name.normalize('NFC').toLowerCase();
}

/** What substring search looks in: username, full name and email, lower-cased. */
export function searchText(user: { username: string; fullName: string | null; email: string | null }): string {
  return nameKey([user.username, user.fullName ?? '', user.email ?? ''].join('\n'));
}
