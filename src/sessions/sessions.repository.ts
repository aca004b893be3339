import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, IsNull } from 'typeorm';
import { parseSqlTimestamp, sqlTimestamp } from '../database/sql-time';
import { SessionEntity } from './entities/session.entity';

export interface LiveSession {
  userId: string;
  username: string;
  lastActivityAt: Date | null;
}

@Injectable()
export class SessionsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * The check behind every authenticated request, one primary-key lookup: the session is live and its user
   * still exists and is enabled. Disabling, deleting and revoking therefore bite on the very next request.
   */
  async findLive(sessionId: string, userId: string): Promise<LiveSession | null> {
    const row = await this.dataSource
      .createQueryBuilder()
      .select(['u.id AS userId', 'u.username AS username', 'u.last_activity_at AS lastActivityAt'])
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
      }>();
    if (!row) {
      return null;
    }
    return {
      userId: row.userId,
      username: row.username,
      lastActivityAt: parseSqlTimestamp(row.lastActivityAt),
    };
  }

  /** Ends every live session of a user (password change or reset, conversion, admin revoke). */
  async revokeAllForUser(manager: EntityManager, userId: string): Promise<number> {
    const result = await manager.update(SessionEntity, { userId, revokedAt: IsNull() }, { revokedAt: new Date() });
    return result.affected ?? 0;
  }
}
