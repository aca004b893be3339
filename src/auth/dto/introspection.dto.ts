import { IsOptional, IsString, MaxLength, MinLength } from 'class-validator';

export class IntrospectDto {
  /** The access token to check. @example "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6Ii4uLiJ9.eyJzdWIiOiIuLi4ifQ.c2ln" */
  @IsString()
  @MinLength(1)
  @MaxLength(8192)
  token!: string;

  /** Accepted for RFC 7662 clients and ignored: only access tokens can be introspected. @example "access_token" */
  @IsOptional()
  @IsString()
  @MaxLength(64)
  token_type_hint?: string;
}

/** RFC 7662 introspection response; a token that is not live yields `{ "active": false }` and nothing else. */
export class IntrospectionDto {
  /** Whether the token is live: valid signature, not expired, its session open and its user enabled. @example true */
  active!: boolean;
  /** The user id. @example "3f1c9a52-6f0e-4b1d-9a7e-2d5c8b4e7f10" */
  sub?: string;
  /** @example "alice" */
  username?: string;
  /** Expiry, seconds since the epoch. @example 1795867200 */
  exp?: number;
  /** Issue time, seconds since the epoch. @example 1795866900 */
  iat?: number;
  /** The session the token belongs to. @example "8b2d4f6a-1c3e-4a5b-9d7f-0e2c4a6b8d1f" */
  sid?: string;
  /** Always true for a live token (a disabled user's tokens are not active). @example true */
  enabled?: boolean;
}
