/** The caller of an authenticated request, set on `request.user` by the access-token strategy. */
export interface AuthenticatedUser {
  id: string;
  username: string;
  sessionId: string;
  /** The caller's global permissions, read once per request on first use (changes apply to the next request). */
  permissions(): Promise<ReadonlySet<string>>;
}
