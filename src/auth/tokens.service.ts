import { Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { decodeProtectedHeader, jwtVerify, SignJWT } from 'jose';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import { EntityManager } from 'typeorm';
import { authConfig } from '../config/auth.config';
import { TokenPairDto } from './dto/token-pair.dto';
import type { SqlStatement } from '../database/prepared-statements';
import { RefreshTokenEntity } from '../sessions/entities/refresh-token.entity';
import { SessionEntity } from '../sessions/entities/session.entity';
import { SessionsRepository } from '../sessions/sessions.repository';
import { SigningKeysService } from './signing-keys.service';

export interface SessionOrigin {
  ip: string | null;
  userAgent: string | null;
}

/** What a new session needs to know of its user. */
interface SessionUser {
  id: string;
  mustChangePassword: boolean;
}

export function hashRefreshToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** A new opaque refresh token (32 random bytes) and the hash that is stored in its place. */
export function newRefreshToken(): { token: string; hash: string } {
  const token = randomBytes(32).toString('base64url');
  return { token, hash: hashRefreshToken(token) };
}

/** The claims of our access tokens. */
export interface AccessTokenClaims {
  sub: string;
  sid: string;
  typ: 'access';
  iat: number;
  exp: number;
}

/** How many verified access tokens a replica remembers (a few hundred bytes each). */
const VERIFIED_TOKENS = 10_000;

/** Sessions and the tokens that point at them: short-lived signed access tokens and one-time refresh tokens. */
@Injectable()
export class TokensService {
  /**
   * Access tokens whose signature, issuer and audience were verified, until they expire. A client sends the same
   * token with every request for minutes, and checking its signature again would be the largest CPU cost of an
   * authenticated request after the database. Only the exact same string hits; the session is still checked.
   */
  private readonly verified = new LRUCache<string, AccessTokenClaims>({ max: VERIFIED_TOKENS });

  constructor(
    private readonly keys: SigningKeysService,
    private readonly sessions: SessionsRepository,
    @Inject(authConfig.KEY) private readonly config: ConfigType<typeof authConfig>,
  ) {}

  /** Starts a session and returns its first token pair; runs in the caller's transaction. */
  async startSession(manager: EntityManager, user: SessionUser, origin: SessionOrigin): Promise<TokenPairDto> {
    const { session, firstToken, pair } = await this.draftSession(user, origin);
    await this.sessions.insertSession(manager, session, firstToken);
    return pair;
  }

  /** A new session's first token pair, and the statements that store the session, for the caller to run. */
  async newSession(
    user: SessionUser,
    origin: SessionOrigin,
  ): Promise<{ statements: SqlStatement[]; pair: TokenPairDto }> {
    const { session, firstToken, pair } = await this.draftSession(user, origin);
    return { statements: this.sessions.insertSessionStatements(session, firstToken), pair };
  }

  /** The token pair of a session whose refresh token is `refreshToken` (stored already). */
  async pair(
    session: { id: string; userId: string; expiresAt: Date },
    mustChangePassword: boolean,
    refreshToken: string,
  ): Promise<TokenPairDto> {
    return {
      accessToken: await this.signAccessToken(session.userId, session.id),
      tokenType: 'Bearer',
      expiresIn: this.config.accessTokenTtlSeconds,
      refreshToken,
      refreshExpiresIn: Math.max(0, Math.floor((session.expiresAt.getTime() - Date.now()) / 1000)),
      mustChangePassword,
    };
  }

  /**
   * jose signs through WebCrypto (`crypto.subtle.sign`), which Node runs on libuv's thread pool: an RS256 signature
   * (0.2-0.3 ms of CPU) does not hold the event loop, and the signatures of concurrent logins and refreshes run on
   * every core.
   */
  signAccessToken(userId: string, sessionId: string): Promise<string> {
    const { kid, algorithm, privateKey } = this.keys.signingKey();
    const issuedAt = Math.floor(Date.now() / 1000);
    const claims: Pick<AccessTokenClaims, 'sid' | 'typ'> = { sid: sessionId, typ: 'access' };
    return new SignJWT(claims)
      .setProtectedHeader({ alg: algorithm, kid, typ: 'JWT' })
      .setSubject(userId)
      .setIssuer(this.config.issuer)
      .setAudience(this.config.audience)
      .setIssuedAt(issuedAt)
      .setExpirationTime(issuedAt + this.config.accessTokenTtlSeconds)
      .sign(privateKey);
  }

  private async draftSession(
    user: SessionUser,
    origin: SessionOrigin,
  ): Promise<{ session: SessionEntity; firstToken: RefreshTokenEntity; pair: TokenPairDto }> {
    const now = new Date();
    const session: SessionEntity = {
      id: randomUUID(),
      userId: user.id,
      createdAt: now,
      expiresAt: new Date(now.getTime() + this.config.refreshTokenTtlSeconds * 1000),
      lastUsedAt: now,
      revokedAt: null,
      ip: origin.ip,
      userAgent: origin.userAgent?.slice(0, 255) ?? null,
    };
    const refresh = newRefreshToken();
    const firstToken: RefreshTokenEntity = {
      tokenHash: refresh.hash,
      sessionId: session.id,
      parentHash: null,
      createdAt: now,
      usedAt: null,
    };
    return { session, firstToken, pair: await this.pair(session, user.mustChangePassword, refresh.token) };
  }

  /**
   * The claims of an access token if it carries our signature, issuer and audience and has not expired;
   * null for anything else. Whether its session is still live is the caller's question.
   */
  async verifyAccessToken(token: string): Promise<AccessTokenClaims | null> {
    const known = this.verified.get(token);
    if (known) {
      return known;
    }
    const key = await this.keys.verificationKey(keyIdOf(token));
    if (!key) {
      return null;
    }
    try {
      // Only the algorithm of the key the token names: no other algorithm, and never `none`.
      const { payload: claims } = await jwtVerify<Partial<AccessTokenClaims>>(token, key.publicKey, {
        algorithms: [key.algorithm],
        issuer: this.config.issuer,
        audience: this.config.audience,
      });
      if (!isAccessTokenClaims(claims)) {
        return null;
      }
      const lifetimeMs = Math.floor(claims.exp * 1000 - Date.now());
      if (lifetimeMs > 1000) {
        this.verified.set(token, claims, { ttl: lifetimeMs });
      }
      return claims;
    } catch {
      return null;
    }
  }
}

export function isAccessTokenClaims(claims: Partial<AccessTokenClaims>): claims is AccessTokenClaims {
  return (
    claims.typ === 'access' &&
    typeof claims.sub === 'string' &&
    typeof claims.sid === 'string' &&
    typeof claims.iat === 'number' &&
    typeof claims.exp === 'number'
  );
}

/** The `kid` in a JWT's header, or undefined for anything that is not a JWT. */
export function keyIdOf(token: string): unknown {
  try {
    return decodeProtectedHeader(token).kid;
  } catch {
    return undefined;
  }
}
