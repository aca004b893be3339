import { Injectable } from '@nestjs/common';
import { EntityManager, LessThan } from 'typeorm';
import { forUpdate } from '../database/locking-read';
import { sqlTimestamp } from '../database/sql-time';
import type { FailureState } from './brute-force.policy';
import { LoginFailureEntity } from './entities/login-failure.entity';
import { RateLimitEntity } from './entities/rate-limit.entity';

/** The brute-force counters: failures per account (`login_failures`) and fixed windows per address (`rate_limits`). */
@Injectable()
export class BruteForceRepository {
  /** The account's counters, locked for the rest of the transaction (MySQL; SQLite transactions are serial). */
  async lockFailures(manager: EntityManager, userId: string): Promise<LoginFailureEntity | null> {
    return forUpdate(
      manager.createQueryBuilder(LoginFailureEntity, 'f').where('f.userId = :userId', { userId }),
    ).getOne();
  }

  async saveFailures(manager: EntityManager, userId: string, state: FailureState): Promise<void> {
    await manager.upsert(LoginFailureEntity, { userId, ...state }, ['userId']);
  }

  async clearFailures(manager: EntityManager, userId: string): Promise<boolean> {
    const result = await manager.delete(LoginFailureEntity, { userId });
    return (result.affected ?? 0) > 0;
  }

  /**
   * Counts one hit in the bucket's current window (opening a new window when the last one ended) and returns
   * the window. Only plain UPDATEs and an INSERT that ignores duplicates: the same on MySQL and SQLite, and safe
   * when replicas race (a row lock on MySQL, serial transactions on SQLite).
   */
  async hit(manager: EntityManager, bucket: string, windowSeconds: number, now: Date): Promise<RateLimitEntity> {
    const at = sqlTimestamp(now);
    const countInOpenWindow = () =>
      manager
        .createQueryBuilder()
        .update(RateLimitEntity)
        .set({ hits: () => 'hits + 1' })
        .where('bucket = :bucket AND window_ends_at > :at', { bucket, at })
        .execute();
    if (!(await countInOpenWindow()).affected) {
      await manager
        .createQueryBuilder()
        .insert()
        .into(RateLimitEntity)
        .values({ bucket, hits: 0, windowEndsAt: now })
        .orIgnore()
        .execute();
      const reopened = await manager
        .createQueryBuilder()
        .update(RateLimitEntity)
        .set({ hits: 1, windowEndsAt: new Date(now.getTime() + windowSeconds * 1000) })
        .where('bucket = :bucket AND window_ends_at <= :at', { bucket, at })
        .execute();
      if (!reopened.affected) {
        await countInOpenWindow(); // another replica opened the window first
      }
    }
    return manager.findOneByOrFail(RateLimitEntity, { bucket });
  }

  /** Gives back one hit of the current window. */
  async refund(manager: EntityManager, bucket: string, now: Date): Promise<void> {
    await manager
      .createQueryBuilder()
      .update(RateLimitEntity)
      .set({ hits: () => 'hits - 1' })
      .where('bucket = :bucket AND window_ends_at > :at AND hits > 0', { bucket, at: sqlTimestamp(now) })
      .execute();
  }

  async deleteEndedWindows(manager: EntityManager, before: Date): Promise<void> {
    await manager.delete(RateLimitEntity, { windowEndsAt: LessThan(before) });
  }
}
