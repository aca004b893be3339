/** A live login session of a user. */
export class SessionDto {
  /** @example "8b2d4f6a-1c3e-4a5b-9d7f-0e2c4a6b8d1f" */
  id!: string;
  /** When the user logged in. @example "2026-11-28T09:00:00.000Z" */
  createdAt!: string;
  /** When its refresh tokens stop working. @example "2026-11-28T17:00:00.000Z" */
  expiresAt!: string;
  /** The last login or refresh of the session, to the minute. @example "2026-11-28T09:55:00.000Z" */
  lastUsedAt!: string | null;
  /** The client address it was opened from. @example "203.0.113.7" */
  ip!: string | null;
  /** @example "Mozilla/5.0 (X11; Linux x86_64)" */
  userAgent!: string | null;
  /** Whether this is the session of the calling access token. @example false */
  current!: boolean;
}
