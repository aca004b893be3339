import { Injectable } from '@nestjs/common';
import { AuditService } from '../audit/audit.service';
import { ProblemException } from '../common/errors/problem.exception';
import { TransactionRunner } from '../database/transaction-runner';
import type { RequestContext } from '../common/request-context';
import { DirectoryAuthenticator } from '../directories/directory-authenticator';
import { PasswordHasher } from '../passwords/password-hasher.service';
import { RefreshTokenState, SessionsRepository } from '../sessions/sessions.repository';
import { UserEntity } from '../users/entities/user.entity';
import { nameKey } from '../users/username';
import { LoginCandidate, UsersRepository } from '../users/users.repository';
import { isLocked } from './brute-force.policy';
import { BruteForceService } from './brute-force.service';
import { IntrospectionDto } from './dto/introspection.dto';
import { TokenPairDto } from './dto/token-pair.dto';
import { hashRefreshToken, newRefreshToken, SessionOrigin, TokensService } from './tokens.service';

const INVALID_CREDENTIALS = (): ProblemException =>
  ProblemException.unauthorized('invalid_credentials', 'The username or password is incorrect.');

const INVALID_REFRESH_TOKEN = (): ProblemException =>
  ProblemException.unauthorized('invalid_token', 'The refresh token is not valid.');

/** A user whose password (or directory bind) was right, and whether failed attempts were on record. */
export interface VerifiedLogin {
  user: UserEntity;
  hadFailures: boolean;
}

/** How often at most a session's `last_used_at` is written: a refresh every few seconds costs one write a minute. */
const SESSION_USE_RESOLUTION_MS = 60_000;

@Injectable()
export class AuthService {
  constructor(
    private readonly transactions: TransactionRunner,
    private readonly users: UsersRepository,
    private readonly sessions: SessionsRepository,
    private readonly hasher: PasswordHasher,
    private readonly tokens: TokensService,
    private readonly bruteForce: BruteForceService,
    private readonly audit: AuditService,
    private readonly directories: DirectoryAuthenticator,
  ) {}

  /**
   * The password step of a login. Unknown users, wrong passwords and locked accounts get the same answer after
   * the same work (a dummy hash for unknown users; a locked account's own hash is still verified); a disabled
   * account is named only once the password was right.
   */
  async verifyPassword(
    username: string,
    password: string,
    context: RequestContext,
    domain?: string,
  ): Promise<VerifiedLogin> {
    const attempt = this.bruteForce.startLoginAttempt(context.ip);
    let succeeded = false;
    try {
      const { candidate, addressWindow } = await this.users.findForLogin(
        nameKey(username),
        this.bruteForce.addressBucket(attempt),
      );
      this.bruteForce.admitLoginAttempt(attempt, addressWindow);
      const verified = await this.checkCredentials(candidate, username, password, context, domain);
      succeeded = true;
      return verified;
    } finally {
      this.bruteForce.endLoginAttempt(attempt, !succeeded);
    }
  }

  private async checkCredentials(
    found: LoginCandidate | null,
    username: string,
    password: string,
    context: RequestContext,
    domain?: string,
  ): Promise<VerifiedLogin> {
    const user = found?.user ?? null;
    const locked = isLocked(found, new Date());
    const hadFailures = found?.hasFailures ?? false;
    if (await this.directories.handles(user, domain)) {
      return { user: await this.verifyByDirectory(user, locked, username, password, context, domain), hadFailures };
    }
    if (!user?.passwordHash) {
      await this.hasher.verifyDummy(password);
      await this.recordFailure(context, user?.id ?? null, username, 'invalid_credentials');
      throw INVALID_CREDENTIALS();
    }
    const passwordMatches = await this.hasher.verify(user.passwordHash, password);
    if (locked) {
      await this.recordFailure(context, user.id, username, 'locked');
      throw INVALID_CREDENTIALS();
    }
    if (!passwordMatches) {
      await this.recordFailure(context, user.id, username, 'invalid_credentials', true);
      throw INVALID_CREDENTIALS();
    }
    if (!user.enabled) {
      await this.recordFailure(context, user.id, username, 'account_disabled');
      throw ProblemException.forbidden('account_disabled', 'This account is disabled.');
    }
    if (this.hasher.needsRehash(user.passwordHash)) {
      const rehashed = await this.hasher.hash(password);
      await this.transactions.run((manager) => this.users.updatePasswordHash(manager, user.id, rehashed));
    }
    return { user, hadFailures };
  }

  /**
   * Opens a session for a user whose password was verified, and forgets the account's failed attempts: one
   * transaction of statements that need nothing from each other, sent in one round trip. The user is stamped first:
   * inserting the session takes a shared lock on the user's row, and two logins of one user that both held it and
   * then wanted it exclusive would deadlock.
   */
  async login(
    { user, hadFailures }: VerifiedLogin,
    context: RequestContext,
    origin: SessionOrigin,
  ): Promise<TokenPairDto> {
    const { statements, pair } = await this.tokens.newSession(user, origin);
    await this.transactions.runStatements([
      this.users.recordLoginStatement(user.id),
      ...statements,
      ...(hadFailures ? [this.bruteForce.resetStatement(user.id)] : []),
      this.audit.recordStatement(context, { action: 'auth.login', targetType: 'user', targetId: user.id }),
    ]);
    return pair;
  }

  /**
   * Exchanges a refresh token for a new pair. Each token works once; presenting a spent one again means it was
   * copied, so the whole session is revoked (the thief's and the owner's tokens alike). Two statements and no
   * transaction: a read, then one INSERT … SELECT that is the exchange (see `rotateRefreshToken`).
   */
  async refresh(refreshToken: string, context: RequestContext): Promise<TokenPairDto> {
    const tokenHash = hashRefreshToken(refreshToken);
    const token = await this.sessions.findRefreshToken(tokenHash);
    if (token?.spent) {
      await this.revokeReused(token, context);
    }
    if (!token?.live || token.spent) {
      throw INVALID_REFRESH_TOKEN();
    }
    const next = newRefreshToken();
    const now = new Date();
    const outcome = await this.transactions.autocommit(async () => {
      const rotated = await this.sessions.rotateRefreshToken(tokenHash, token.sessionId, next.hash, now);
      if (rotated === 'rotated' && now.getTime() - (token.lastUsedAt?.getTime() ?? 0) >= SESSION_USE_RESOLUTION_MS) {
        await this.sessions.touch(token.sessionId, now);
      }
      return rotated;
    });
    if (outcome === 'spent') {
      await this.revokeReused(token, context);
    }
    if (outcome !== 'rotated') {
      throw INVALID_REFRESH_TOKEN();
    }
    return this.tokens.pair(
      { id: token.sessionId, userId: token.userId, expiresAt: token.expiresAt },
      token.mustChangePassword,
      next.token,
    );
  }

  /** A spent refresh token came back: it was copied, so its whole session ends. */
  private async revokeReused(token: RefreshTokenState, context: RequestContext): Promise<void> {
    await this.transactions.run(async (manager) => {
      const revoked = await this.sessions.revoke(manager, token.sessionId);
      await this.audit.record(manager, context, {
        action: 'auth.refresh_reuse',
        targetType: 'user',
        targetId: token.userId,
        outcome: 'failure',
        details: { sessionId: token.sessionId, sessionRevoked: revoked },
      });
    });
  }

  /** Ends the caller's session: its access and refresh tokens stop working at once. */
  async logout(userId: string, sessionId: string, context: RequestContext): Promise<void> {
    await this.transactions.run(async (manager) => {
      await this.sessions.revoke(manager, sessionId);
      await this.audit.record(manager, context, {
        action: 'auth.logout',
        targetType: 'user',
        targetId: userId,
        details: { sessionId },
      });
    });
  }

  /** RFC 7662: the token's facts if it is live right now (signature, expiry, session, enabled user), else only `active: false`. */
  async introspect(token: string): Promise<IntrospectionDto> {
    const claims = await this.tokens.verifyAccessToken(token);
    const session = claims && (await this.sessions.findLive(claims.sid, claims.sub));
    if (!claims || !session) {
      return { active: false };
    }
    return {
      active: true,
      sub: claims.sub,
      username: session.username,
      exp: claims.exp,
      iat: claims.iat,
      sid: claims.sid,
      enabled: true,
    };
  }

  /** External users (and, with createUsersOnLogin, unknown ones) are checked by an LDAP bind; the same locks apply. */
  private async verifyByDirectory(
    found: UserEntity | null,
    locked: boolean,
    username: string,
    password: string,
    context: RequestContext,
    domain: string | undefined,
  ): Promise<UserEntity> {
    const user = await this.directories.authenticate(found, username, password, domain, context);
    if (!user) {
      await this.recordFailure(context, found?.id ?? null, username, 'invalid_credentials', found !== null);
      throw INVALID_CREDENTIALS();
    }
    if (locked) {
      await this.recordFailure(context, user.id, username, 'locked');
      throw INVALID_CREDENTIALS();
    }
    if (!user.enabled) {
      await this.recordFailure(context, user.id, username, 'account_disabled');
      throw ProblemException.forbidden('account_disabled', 'This account is disabled.');
    }
    return user;
  }

  private async recordFailure(
    context: RequestContext,
    userId: string | null,
    username: string,
    reason: string,
    countTowardsLock = false,
  ): Promise<void> {
    await this.transactions.run(async (manager) => {
      await this.bruteForce.recordAddressFailure(manager, context.ip);
      const lockedUntil = countTowardsLock && userId ? await this.bruteForce.recordFailure(manager, userId) : null;
      await this.audit.record(manager, context, {
        action: 'auth.login',
        targetType: 'user',
        targetId: userId,
        outcome: 'failure',
        details: {
          username: username.slice(0, 100),
          reason,
          ...(lockedUntil ? { lockedUntil: lockedUntil.toISOString() } : {}),
        },
      });
    });
  }
}
