/** The caller of an authenticated request, set on `request.user` by AuthenticationGuard. */
export interface AuthenticatedUser {
  id: string;
  username: string;
  sessionId: string;
  /** The authorization epoch read with the session: what this request knows of who may do what. */
  authzEpoch: number;
  /** The caller's global permissions, read with the session at the start of the request (changes apply to the next one). */
  permissions(): Promise<ReadonlySet<string>>;
}
