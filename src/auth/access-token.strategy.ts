import { Inject, Injectable, Logger } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import type { AuthenticatedUser } from '../common/authenticated-user';
import { authConfig } from '../config/auth.config';
import { TransactionRunner } from '../database/transaction-runner';
import { ACTIVITY_RESOLUTION_MS, SessionsRepository } from '../sessions/sessions.repository';
import { SigningKeysService } from './signing-keys.service';
import { keyIdOf } from './tokens.service';

export interface AccessTokenClaims {
  sub: string;
  sid: string;
  typ: 'access';
  iat: number;
  exp: number;
}

/**
 * Bearer access tokens: an RS256 signature by one of our keys (no other algorithm is accepted), our issuer and
 * audience, and then a live session of an enabled user in the database.
 */
@Injectable()
export class AccessTokenStrategy extends PassportStrategy(Strategy, 'access-token') {
  private readonly logger = new Logger(AccessTokenStrategy.name);
  /** Users whose activity write is queued, so a burst of requests costs one write, not one each. */
  private readonly recordingActivity = new Set<string>();

  constructor(
    keys: SigningKeysService,
    private readonly sessions: SessionsRepository,
    private readonly transactions: TransactionRunner,
    @Inject(authConfig.KEY) config: ConfigType<typeof authConfig>,
  ) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      algorithms: ['RS256'],
      issuer: config.issuer,
      audience: config.audience,
      secretOrKeyProvider: (_request: unknown, rawJwt: string, done: (error: unknown, key?: string) => void) => {
        keys.verificationKey(keyIdOf(rawJwt)).then(
          // jsonwebtoken takes a KeyObject; the typings of passport-jwt only know strings and buffers.
          (key) => done(null, key as unknown as string),
          (error: unknown) => done(error),
        );
      },
    });
  }

  async validate(claims: Partial<AccessTokenClaims>): Promise<AuthenticatedUser | false> {
    if (claims.typ !== 'access' || typeof claims.sub !== 'string' || typeof claims.sid !== 'string') {
      return false;
    }
    const session = await this.sessions.findLive(claims.sid, claims.sub);
    if (!session) {
      return false;
    }
    this.noteActivity(session.userId, session.lastActivityAt);
    return {
      id: session.userId,
      username: session.username,
      sessionId: claims.sid,
      permissions: () => Promise.resolve(session.permissions),
    };
  }

  /**
   * Keeps `lastActivityAt` within a minute of the truth without slowing the request down: the write is not
   * awaited, runs at most once a minute per user (the UPDATE itself re-checks, for other replicas) and a
   * failure is only logged.
   */
  private noteActivity(userId: string, lastActivityAt: Date | null): void {
    const now = new Date();
    if (
      (lastActivityAt && now.getTime() - lastActivityAt.getTime() < ACTIVITY_RESOLUTION_MS) ||
      this.recordingActivity.has(userId)
    ) {
      return;
    }
    this.recordingActivity.add(userId);
    void this.transactions
      .run((manager) => this.sessions.recordActivity(manager, userId, now))
      .catch((error: unknown) => this.logger.warn({ err: error, userId }, 'Could not record user activity'))
      .finally(() => this.recordingActivity.delete(userId));
  }
}
