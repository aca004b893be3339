import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, LessThan } from 'typeorm';
import { forUpdate } from '../database/locking-read';
import { PreparedStatements, SqlStatement } from '../database/prepared-statements';
import { sqlTimestamp } from '../database/sql-time';
import type { FailureState } from './brute-force.policy';
import { LoginFailureEntity } from './entities/login-failure.entity';
import { RateLimitEntity } from './entities/rate-limit.entity';

/**
 * One hit: a new window with one hit, or one more hit in the open window, or a fresh window in place of an ended one.
 * Values: bucket, new window end, now, now, new window end. MySQL applies the assignments left to right, so the
 * second one still sees the old `window_ends_at`; SQLite evaluates both against the old row.
 */
const HIT_MYSQL = `INSERT INTO rate_limits (bucket, hits, window_ends_at) VALUES (?, 1, ?)
  ON DUPLICATE KEY UPDATE hits = IF(window_ends_at > ?, hits + 1, 1),
    window_ends_at = IF(window_ends_at > ?, window_ends_at, ?)`;
const HIT_SQLITE = `INSERT INTO rate_limits (bucket, hits, window_ends_at) VALUES (?, 1, ?)
  ON CONFLICT (bucket) DO UPDATE SET hits = CASE WHEN window_ends_at > ? THEN hits + 1 ELSE 1 END,
    window_ends_at = CASE WHEN window_ends_at > ? THEN window_ends_at ELSE ? END`;

/** The brute-force counters: failures per account (`login_failures`) and fixed windows per address (`rate_limits`). */
@Injectable()
export class BruteForceRepository {
  private readonly mysql: boolean;

  constructor(
    @InjectDataSource() dataSource: DataSource,
    private readonly statements: PreparedStatements,
  ) {
    this.mysql = dataSource.options.type === 'mysql';
  }

  /** The account's counters, locked for the rest of the transaction (MySQL; SQLite transactions are serial). */
  async lockFailures(manager: EntityManager, userId: string): Promise<LoginFailureEntity | null> {
    return forUpdate(
      manager.createQueryBuilder(LoginFailureEntity, 'f').where('f.userId = :userId', { userId }),
    ).getOne();
  }

  async saveFailures(manager: EntityManager, userId: string, state: FailureState): Promise<void> {
    await manager.upsert(LoginFailureEntity, { userId, ...state }, ['userId']);
  }

  /** Forgets the account's failed attempts: for a login's transaction. */
  clearFailuresStatement(userId: string): SqlStatement {
    return { sql: 'DELETE FROM login_failures WHERE user_id = ?', values: [userId] };
  }

  async clearFailures(manager: EntityManager, userId: string): Promise<boolean> {
    const result = await manager.delete(LoginFailureEntity, { userId });
    return (result.affected ?? 0) > 0;
  }

  /**
   * Counts one hit in the bucket's current window, opening a new window when the last one ended: one upsert, the
   * same outcome however replicas race.
   */
  async hit(manager: EntityManager, bucket: string, windowSeconds: number, now: Date): Promise<void> {
    const at = sqlTimestamp(now);
    const ends = sqlTimestamp(new Date(now.getTime() + windowSeconds * 1000));
    await this.statements.write(this.mysql ? HIT_MYSQL : HIT_SQLITE, [bucket, ends, at, at, ends], manager);
  }

  async deleteEndedWindows(manager: EntityManager, before: Date): Promise<void> {
    await manager.delete(RateLimitEntity, { windowEndsAt: LessThan(before) });
  }
}
