import { Injectable, Logger } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { FastifyRequest } from 'fastify';
import { Strategy } from 'passport-custom';
import { AuthzService } from '../authz/authz.service';
import type { AuthenticatedUser } from '../common/authenticated-user';
import { TransactionRunner } from '../database/transaction-runner';
import { ACTIVITY_RESOLUTION_MS, SessionsRepository } from '../sessions/sessions.repository';
import { TokensService } from './tokens.service';

export interface AccessTokenClaims {
  sub: string;
  sid: string;
  typ: 'access';
  iat: number;
  exp: number;
}

/** `Authorization: Bearer <token>`; the scheme is case-insensitive (RFC 9110). Never a query or body field. */
const BEARER = /^Bearer +([A-Za-z0-9._~+/-]+=*) *$/i;

/**
 * Access tokens from the `Authorization` header: our signature, issuer and audience, not expired (TokensService),
 * and then a live session of an enabled user in the database, checked on every request.
 */
@Injectable()
export class AccessTokenStrategy extends PassportStrategy(Strategy, 'access-token') {
  private readonly logger = new Logger(AccessTokenStrategy.name);
  /** Users whose activity write is queued, so a burst of requests costs one write, not one each. */
  private readonly recordingActivity = new Set<string>();

  constructor(
    private readonly tokens: TokensService,
    private readonly sessions: SessionsRepository,
    private readonly authz: AuthzService,
    private readonly transactions: TransactionRunner,
  ) {
    super();
  }

  async validate(request: FastifyRequest): Promise<AuthenticatedUser | false> {
    const token = BEARER.exec(request.headers.authorization ?? '')?.[1];
    const claims = token ? await this.tokens.verifyAccessToken(token) : null;
    const session = claims && (await this.sessions.findLive(claims.sid, claims.sub));
    if (!claims || !session) {
      return false;
    }
    this.noteActivity(session.userId, session.lastActivityAt);
    return {
      id: session.userId,
      username: session.username,
      sessionId: claims.sid,
      authzEpoch: session.authzEpoch,
      permissions: () => this.authz.globalPermissions(session.userId, session.authzEpoch),
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
