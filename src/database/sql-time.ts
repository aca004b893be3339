/** A UTC timestamp both MySQL DATETIME(3) and SQLite accept for raw inserts: `2026-01-31 12:00:00.000`. */
export function sqlTimestamp(date: Date = new Date()): string {
  return date.toISOString().replace('T', ' ').replace('Z', '');
}

/** Reads a timestamp from a raw query: a `Date` from mysql2, a `YYYY-MM-DD HH:MM:SS.SSS` UTC string from SQLite. */
export function parseSqlTimestamp(value: Date | string | null): Date | null {
  if (value === null || value instanceof Date) {
    return value;
  }
  return new Date(`${value.replace(' ', 'T')}Z`);
}
