/** The caller of an authenticated request, set on `request.user` by the access-token strategy. */
export interface AuthenticatedUser {
  id: string;
  username: string;
  sessionId: string;
  /** The caller's global permissions, read with the session at the start of the request (changes apply to the next one). */
  permissions(): Promise<ReadonlySet<string>>;
}
