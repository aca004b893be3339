import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, IsNull } from 'typeorm';
import { CURRENT_AUTHZ_EPOCH } from '../authz/authz-epoch';
import type { CursorValue } from '../common/pagination/cursor';
import { applyKeyset } from '../common/pagination/keyset';
import { PreparedStatements } from '../database/prepared-statements';
import { parseSqlTimestamp, sqlTimestamp } from '../database/sql-time';
import { RefreshTokenEntity } from './entities/refresh-token.entity';
import { SessionEntity } from './entities/session.entity';

/** How often at most `users.last_activity_at` is written for one user. */
export const ACTIVITY_RESOLUTION_MS = 60_000;

export interface LiveSession {
  userId: string;
  username: string;
  lastActivityAt: Date | null;
  /** The authorization epoch at the time of the check (see authz/authz-epoch.ts). */
  authzEpoch: number;
}

/**
 * The check behind every authenticated request, one prepared statement over two primary keys: the session is live
 * and its user still exists and is enabled. Disabling, deleting and revoking therefore bite on the very next request.
 * The authorization epoch comes in the same round trip, so the caller's permissions can come from memory.
 */
const FIND_LIVE = `SELECT u.username AS username, u.last_activity_at AS lastActivityAt, ${CURRENT_AUTHZ_EPOCH} AS authzEpoch
  FROM sessions s INNER JOIN users u ON u.id = s.user_id
  WHERE s.id = ? AND s.user_id = ? AND s.revoked_at IS NULL AND s.expires_at > ? AND u.enabled = 1`;

@Injectable()
export class SessionsRepository {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly statements: PreparedStatements,
  ) {}

  async findLive(sessionId: string, userId: string): Promise<LiveSession | null> {
    const [row] = await this.statements.select<{
      username: string;
      lastActivityAt: Date | string | null;
      authzEpoch: number | string;
    }>(FIND_LIVE, [sessionId, userId, sqlTimestamp()]);
    if (!row) {
      return null;
    }
    return {
      userId,
      username: row.username,
      lastActivityAt: parseSqlTimestamp(row.lastActivityAt),
      authzEpoch: Number(row.authzEpoch),
    };
  }

  /** Ends every live session of a user (password change or reset, conversion, admin revoke). */
  async revokeAllForUser(manager: EntityManager, userId: string): Promise<number> {
    const result = await manager.update(SessionEntity, { userId, revokedAt: IsNull() }, { revokedAt: new Date() });
    return result.affected ?? 0;
  }

  /** Ends one session; false if it was already ended. */
  async revoke(manager: EntityManager, sessionId: string): Promise<boolean> {
    const result = await manager.update(
      SessionEntity,
      { id: sessionId, revokedAt: IsNull() },
      { revokedAt: new Date() },
    );
    return (result.affected ?? 0) > 0;
  }

  /**
   * Spends a refresh token: true for exactly one caller, however many replicas race with the same token,
   * because the UPDATE only matches while `used_at` is still empty.
   */
  async useRefreshToken(manager: EntityManager, tokenHash: string): Promise<boolean> {
    const result = await manager
      .createQueryBuilder()
      .update(RefreshTokenEntity)
      .set({ usedAt: new Date() })
      .where('token_hash = :tokenHash AND used_at IS NULL', { tokenHash })
      .execute();
    return result.affected === 1;
  }

  findRefreshToken(manager: EntityManager, tokenHash: string): Promise<RefreshTokenEntity | null> {
    return manager.findOneBy(RefreshTokenEntity, { tokenHash });
  }

  /**
   * What a refresh needs after spending its token, in one query: the token's session if it is neither revoked nor
   * expired, with its user's enabled flag and must-change-password flag.
   */
  async findRefreshable(
    manager: EntityManager,
    tokenHash: string,
  ): Promise<{ session: SessionEntity; userEnabled: boolean; mustChangePassword: boolean } | null> {
    const { entities, raw } = await manager
      .createQueryBuilder(SessionEntity, 's')
      .innerJoin(RefreshTokenEntity, 'rt', 'rt.session_id = s.id')
      .innerJoin('users', 'u', 'u.id = s.user_id')
      .addSelect('u.enabled', 'userEnabled')
      .addSelect('u.must_change_password', 'mustChangePassword')
      .where('rt.token_hash = :tokenHash', { tokenHash })
      .andWhere('s.revoked_at IS NULL')
      .andWhere('s.expires_at > :now', { now: sqlTimestamp() })
      .getRawAndEntities<{ userEnabled: number | boolean; mustChangePassword: number | boolean }>();
    if (!entities.length) {
      return null;
    }
    return {
      session: entities[0],
      userEnabled: Boolean(Number(raw[0].userEnabled)),
      mustChangePassword: Boolean(Number(raw[0].mustChangePassword)),
    };
  }

  findById(manager: EntityManager, sessionId: string): Promise<SessionEntity | null> {
    return manager.findOneBy(SessionEntity, { id: sessionId });
  }

  async touch(manager: EntityManager, sessionId: string, at: Date): Promise<void> {
    await manager.update(SessionEntity, { id: sessionId }, { lastUsedAt: at });
  }

  /** A page of the user's live sessions, newest first. */
  pageLive(userId: string, limit: number, position: CursorValue[] | undefined): Promise<SessionEntity[]> {
    const qb = this.dataSource
      .getRepository(SessionEntity)
      .createQueryBuilder('s')
      .where('s.user_id = :userId', { userId })
      .andWhere('s.revoked_at IS NULL')
      .andWhere('s.expires_at > :now', { now: sqlTimestamp() });
    return applyKeyset(qb, 's.created_at', 's.id', 'DESC', position)
      .take(limit + 1)
      .getMany();
  }

  /**
   * Sets the user's `last_activity_at` unless it was set within the last minute, so a busy user costs one write
   * a minute. Raw SQL on purpose: activity is not an edit, so the user's version (its ETag) must not change.
   */
  async recordActivity(manager: EntityManager, userId: string, at: Date): Promise<void> {
    await manager.query(
      'UPDATE users SET last_activity_at = ? WHERE id = ? AND (last_activity_at IS NULL OR last_activity_at < ?)',
      [sqlTimestamp(at), userId, sqlTimestamp(new Date(at.getTime() - ACTIVITY_RESOLUTION_MS))],
    );
  }
}
