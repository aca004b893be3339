import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, IsNull } from 'typeorm';
import { globalPermissionsSubquery } from '../authz/authz.repository';
import type { CursorValue } from '../common/pagination/cursor';
import { applyKeyset } from '../common/pagination/keyset';
import { parseSqlTimestamp, sqlTimestamp } from '../database/sql-time';
import { RefreshTokenEntity } from './entities/refresh-token.entity';
import { SessionEntity } from './entities/session.entity';

/** How often at most `users.last_activity_at` is written for one user. */
export const ACTIVITY_RESOLUTION_MS = 60_000;

export interface LiveSession {
  userId: string;
  username: string;
  lastActivityAt: Date | null;
  /** Global permissions, read in the same query. */
  permissions: ReadonlySet<string>;
}

@Injectable()
export class SessionsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * The check behind every authenticated request, one primary-key lookup: the session is live and its user
   * still exists and is enabled. Disabling, deleting and revoking therefore bite on the very next request.
   * The user's global permissions come in the same round trip (nearly every route checks one).
   */
  async findLive(sessionId: string, userId: string): Promise<LiveSession | null> {
    const row = await this.dataSource
      .createQueryBuilder()
      .select(['u.id AS userId', 'u.username AS username', 'u.last_activity_at AS lastActivityAt'])
      .addSelect(globalPermissionsSubquery('u.id'), 'permissions')
      .from('sessions', 's')
      .innerJoin('users', 'u', 'u.id = s.user_id')
      .where('s.id = :sessionId', { sessionId })
      .andWhere('s.user_id = :userId', { userId })
      .andWhere('s.revoked_at IS NULL')
      .andWhere('s.expires_at > :now', { now: sqlTimestamp() })
      .andWhere('u.enabled = 1')
      .getRawOne<{
        userId: string;
        username: string;
        lastActivityAt: Date | string | null;
        permissions: string | null;
      }>();
    if (!row) {
      return null;
    }
    return {
      userId: row.userId,
      username: row.username,
      lastActivityAt: parseSqlTimestamp(row.lastActivityAt),
      permissions: new Set(row.permissions ? row.permissions.split(',') : []),
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
