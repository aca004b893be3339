export class TokenPairDto {
  /** A signed JWT (RS256, or ES256 with `JWT_ALGORITHM=ES256`) to send as `Authorization: Bearer …`. */
  accessToken!: string;
  /** @example "Bearer" */
  tokenType!: 'Bearer';
  /** Seconds until the access token expires. @example 300 */
  expiresIn!: number;
  /** Opaque; exchange it at `/auth/refresh` for a new pair. It can be used once. */
  refreshToken!: string;
  /** Seconds until the refresh token expires. @example 28800 */
  refreshExpiresIn!: number;
  /** The user must change their password (`PUT /me/password`). */
  mustChangePassword!: boolean;
}
