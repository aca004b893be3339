import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, IsNull } from 'typeorm';
import { CURRENT_AUTHZ_EPOCH } from '../authz/authz-epoch';
import type { CursorValue } from '../common/pagination/cursor';
import { applyKeyset } from '../common/pagination/keyset';
import { isUniqueViolation } from '../common/errors/database-errors';
import { batchedLookup, placeholders } from '../database/batched-lookup';
import { EntityColumns } from '../database/entity-columns';
import { PreparedStatements, SqlStatement } from '../database/prepared-statements';
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

interface LiveRow {
  sessionId: string;
  userId: string;
  username: string;
  lastActivityAt: Date | string | null;
  authzEpoch: number | string;
}

/**
 * The live sessions among some ids: each session is live and its user still exists and is enabled, so disabling,
 * deleting and revoking bite on the very next request. The authorization epoch comes in the same round trip, so
 * the caller's permissions can come from memory.
 */
function findLiveSql(count: number): string {
  return `SELECT s.id AS sessionId, s.user_id AS userId, u.username AS username, u.last_activity_at AS lastActivityAt,
      ${CURRENT_AUTHZ_EPOCH} AS authzEpoch
    FROM sessions s INNER JOIN users u ON u.id = s.user_id
    WHERE s.id IN (${placeholders(count)}) AND s.revoked_at IS NULL AND s.expires_at > ? AND u.enabled = 1`;
}

/** What a refresh needs to know about the token it was given. */
export interface RefreshTokenState {
  sessionId: string;
  userId: string;
  expiresAt: Date;
  lastUsedAt: Date | null;
  /** The session is neither revoked nor expired and its user is enabled. */
  live: boolean;
  /** The token was exchanged already: presenting it again is reuse. */
  spent: boolean;
  mustChangePassword: boolean;
}

const FIND_REFRESH_TOKEN = `SELECT rt.session_id AS sessionId, s.user_id AS userId, s.expires_at AS expiresAt,
    s.last_used_at AS lastUsedAt, u.must_change_password AS mustChangePassword,
    CASE WHEN s.revoked_at IS NULL AND s.expires_at > ? AND u.enabled = 1 THEN 1 ELSE 0 END AS live,
    CASE WHEN rt.used_at IS NOT NULL OR EXISTS (SELECT 1 FROM refresh_tokens c WHERE c.parent_hash = rt.token_hash)
      THEN 1 ELSE 0 END AS spent
  FROM refresh_tokens rt INNER JOIN sessions s ON s.id = rt.session_id INNER JOIN users u ON u.id = s.user_id
  WHERE rt.token_hash = ?`;

/**
 * Values: next hash, parent (presented) hash, now, session id, now. It reads no refresh_tokens row: an INSERT that
 * selects from its own table makes MySQL copy what it reads into a temporary table first.
 */
const ROTATE_REFRESH_TOKEN = `INSERT INTO refresh_tokens (token_hash, session_id, parent_hash, created_at, used_at)
  SELECT ?, s.id, ?, ?, NULL FROM sessions s INNER JOIN users u ON u.id = s.user_id
  WHERE s.id = ? AND s.revoked_at IS NULL AND s.expires_at > ? AND u.enabled = 1`;

@Injectable()
export class SessionsRepository {
  /** The check behind every authenticated request; checks that arrive together share one query (batchedLookup). */
  private readonly liveSession = batchedLookup((ids: string[]) => this.findLiveAmong(ids));

  private readonly sessionColumns: EntityColumns<SessionEntity>;
  private readonly refreshTokenColumns: EntityColumns<RefreshTokenEntity>;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly statements: PreparedStatements,
  ) {
    this.sessionColumns = new EntityColumns(dataSource, SessionEntity, 's');
    this.refreshTokenColumns = new EntityColumns(dataSource, RefreshTokenEntity, 'rt');
  }

  async findLive(sessionId: string, userId: string): Promise<LiveSession | null> {
    const row = await this.liveSession(sessionId);
    if (!row || row.userId !== userId) {
      return null;
    }
    return {
      userId,
      username: row.username,
      lastActivityAt: parseSqlTimestamp(row.lastActivityAt),
      authzEpoch: Number(row.authzEpoch),
    };
  }

  private async findLiveAmong(ids: string[]): Promise<Map<string, LiveRow>> {
    const rows = await this.statements.select<LiveRow>(findLiveSql(ids.length), [...ids, sqlTimestamp()]);
    return new Map(rows.map((row) => [row.sessionId, row]));
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

  /** Inserts a new session and its first refresh token, in the caller's transaction. */
  async insertSession(manager: EntityManager, session: SessionEntity, firstToken: RefreshTokenEntity): Promise<void> {
    for (const statement of this.insertSessionStatements(session, firstToken)) {
      await this.statements.run(statement, manager);
    }
  }

  /** The statements that insert a new session and its first refresh token, for a login's transaction. */
  insertSessionStatements(session: SessionEntity, firstToken: RefreshTokenEntity): SqlStatement[] {
    return [
      { sql: this.sessionColumns.insertSql, values: this.sessionColumns.insertValues(session) },
      { sql: this.refreshTokenColumns.insertSql, values: this.refreshTokenColumns.insertValues(firstToken) },
    ];
  }

  /** A refresh token with what a refresh needs to know of its session and user; null for an unknown token. */
  async findRefreshToken(tokenHash: string): Promise<RefreshTokenState | null> {
    const [row] = await this.statements.select<{
      sessionId: string;
      userId: string;
      expiresAt: Date | string;
      lastUsedAt: Date | string | null;
      live: number | boolean;
      spent: number | boolean;
      mustChangePassword: number | boolean;
    }>(FIND_REFRESH_TOKEN, [sqlTimestamp(), tokenHash]);
    if (!row) {
      return null;
    }
    return {
      sessionId: row.sessionId,
      userId: row.userId,
      expiresAt: parseSqlTimestamp(row.expiresAt)!,
      lastUsedAt: parseSqlTimestamp(row.lastUsedAt),
      live: Boolean(Number(row.live)),
      spent: Boolean(Number(row.spent)),
      mustChangePassword: Boolean(Number(row.mustChangePassword)),
    };
  }

  /**
   * Issues `nextHash` in exchange for `token` (of `sessionId`), in one statement that is its own transaction: the
   * next token is inserted only while the session is live and its user enabled, and the unique `parent_hash` lets
   * one exchange of a token succeed however many replicas race. `spent` when the token had been exchanged already
   * (reuse). The caller has read the token as not spent: `used_at`, set only before parent_hash existed, stays set.
   */
  async rotateRefreshToken(
    tokenHash: string,
    sessionId: string,
    nextHash: string,
    at: Date,
  ): Promise<'rotated' | 'dead' | 'spent'> {
    const now = sqlTimestamp(at);
    try {
      const { affected } = await this.statements.write(ROTATE_REFRESH_TOKEN, [
        nextHash,
        tokenHash,
        now,
        sessionId,
        now,
      ]);
      return affected === 1 ? 'rotated' : 'dead';
    } catch (error) {
      if (isUniqueViolation(error)) {
        return 'spent';
      }
      throw error;
    }
  }

  async touch(sessionId: string, at: Date): Promise<void> {
    await this.statements.write('UPDATE sessions SET last_used_at = ? WHERE id = ?', [sqlTimestamp(at), sessionId]);
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
