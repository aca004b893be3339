import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { placeholders } from '../database/batched-lookup';
import { PreparedStatements } from '../database/prepared-statements';
import { COMMON_GRAM_USERS, gramBloom, gramChanges, termGrams } from './search-grams';

/** How a substring search is answered. */
export type SearchPlan =
  /** No user has ever had one of the term's trigrams: nothing can match. */
  | { kind: 'none' }
  /** Every trigram of the term is common (or it has none): scan in page order, checking the bloom first. */
  | { kind: 'scan'; bloom: number }
  /** The users holding these trigrams (the term's rarest, one or two) are the only candidates. */
  | { kind: 'grams'; grams: string[] };

/**
 * The trigram index of users' search text (tables `search_grams` and `user_search_grams`, migration 1765100000000):
 * kept in the transaction of every write of a user's search text, and read to plan substring searches.
 */
@Injectable()
export class UserSearchIndex {
  private readonly mysql: boolean;

  constructor(
    @InjectDataSource() dataSource: DataSource,
    private readonly statements: PreparedStatements,
  ) {
    this.mysql = dataSource.options.type === 'mysql';
  }

  /**
   * Moves the index from `before` to `after` for one user (null: no user), in the caller's transaction. Trigrams
   * are counted per user in `search_grams`; one that passes COMMON_GRAM_USERS becomes common and loses its postings.
   */
  async update(manager: EntityManager, userId: string, before: string | null, after: string | null): Promise<void> {
    const { added, removed } = gramChanges(before, after);
    if (removed.length) {
      await this.statements.write(
        `DELETE FROM user_search_grams WHERE user_id = ? AND gram IN (${placeholders(removed.length)})`,
        [userId, ...removed],
        manager,
      );
    }
    if (!added.length) {
      return;
    }
    // Sorted, so concurrent writers lock the counters in one order.
    const rows = added.map(() => '(?, 1, 0)').join(', ');
    await this.statements.write(
      this.mysql
        ? `INSERT INTO search_grams (gram, users, common) VALUES ${rows} ON DUPLICATE KEY UPDATE users = users + 1`
        : `INSERT INTO search_grams (gram, users, common) VALUES ${rows} ON CONFLICT (gram) DO UPDATE SET users = users + 1`,
      added,
      manager,
    );
    const counted = await this.statements.select<{ gram: string; users: number; common: number | boolean }>(
      `SELECT gram, users, common FROM search_grams WHERE gram IN (${placeholders(added.length)})`,
      added,
      manager,
    );
    const turningCommon = counted
      .filter((row) => !Number(row.common) && Number(row.users) > COMMON_GRAM_USERS)
      .map((row) => row.gram);
    if (turningCommon.length) {
      const list = placeholders(turningCommon.length);
      await this.statements.write(`UPDATE search_grams SET common = 1 WHERE gram IN (${list})`, turningCommon, manager);
      await this.statements.write(`DELETE FROM user_search_grams WHERE gram IN (${list})`, turningCommon, manager);
    }
    const rare = new Set(
      counted.filter((row) => !Number(row.common) && Number(row.users) <= COMMON_GRAM_USERS).map((row) => row.gram),
    );
    const posted = added.filter((gram) => rare.has(gram));
    if (posted.length) {
      await this.statements.write(
        `INSERT ${this.mysql ? 'IGNORE' : 'OR IGNORE'} INTO user_search_grams (gram, user_id) VALUES ${posted.map(() => '(?, ?)').join(', ')}`,
        posted.flatMap((gram) => [gram, userId]),
        manager,
      );
    }
  }

  /** How to find the users whose search text contains `term` (normalised). */
  async plan(term: string): Promise<SearchPlan> {
    const grams = termGrams(term);
    if (!grams.length) {
      return { kind: 'scan', bloom: 0 };
    }
    const known = await this.statements.select<{ gram: string; users: number; common: number | boolean }>(
      `SELECT gram, users, common FROM search_grams WHERE gram IN (${placeholders(grams.length)})`,
      grams,
    );
    if (known.length < grams.length) {
      return { kind: 'none' };
    }
    const rarest = known
      .filter((row) => !Number(row.common))
      .sort((a, b) => Number(a.users) - Number(b.users))
      .slice(0, 2)
      .map((row) => row.gram);
    return rarest.length ? { kind: 'grams', grams: rarest } : { kind: 'scan', bloom: gramBloom(grams) };
  }
}
