import { MigrationInterface, QueryRunner, Table, TableForeignKey, TableIndex } from 'typeorm';
import { COMMON_GRAM_USERS, gramBloom, gramsOf } from '../../users/search-grams';
import { ColumnTypes } from '../column-types';

const BATCH = 1000;
const SCAN_INDEX = 'ix_users_username_search';
const SCAN_COLUMNS = ['username_key', 'id', 'gram_bloom', 'search_text'];
const ROWS_PER_INSERT = 400;

/**
 * A trigram index for substring search (see src/users/search-grams.ts and UsersRepository.page):
 * - `search_grams`: every trigram of any user's search text, with how many users have had it; past
 *   COMMON_GRAM_USERS it is `common` and its postings are dropped (a term made only of common trigrams is found by
 *   scanning in page order, where matches are dense).
 * - `user_search_grams`: (gram, user) for every trigram that is not common, so the users holding a term's rarest
 *   trigram are one index range, and are all the users that can match the term.
 * - `users.gram_bloom`: a bloom of the user's trigrams, added to the (username_key, id, …, search_text) index the
 *   scan for a term of common trigrams walks, which checks it before the LIKE.
 * Existing users are indexed here, in two passes (count, then post the trigrams that stayed rare and set the bloom).
 */
export class UserSearchGrams1765100000000 implements MigrationInterface {
  name = 'UserSearchGrams1765100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = new ColumnTypes(queryRunner);
    await queryRunner.createTable(
      new Table({
        name: 'search_grams',
        columns: [
          { ...c.key('gram', 3), isPrimary: true },
          { name: 'users', type: 'int', isNullable: false },
          { name: 'common', type: 'boolean', isNullable: false, default: false },
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'user_search_grams',
        columns: [
          { ...c.key('gram', 3), isPrimary: true },
          { ...c.uuid('user_id'), isPrimary: true },
        ],
        foreignKeys: [
          new TableForeignKey({
            columnNames: ['user_id'],
            referencedTableName: 'users',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
          }),
        ],
        indices: [new TableIndex({ name: 'ix_user_search_grams_user', columnNames: ['user_id'] })],
      }),
    );

    await queryRunner.query('ALTER TABLE users ADD COLUMN gram_bloom BIGINT NOT NULL DEFAULT 0');

    const counts = new Map<string, number>();
    for await (const users of batchesOfUsers(queryRunner)) {
      for (const { searchText } of users) {
        for (const gram of gramsOf(searchText)) {
          counts.set(gram, (counts.get(gram) ?? 0) + 1);
        }
      }
    }
    await insertRows(
      queryRunner,
      'search_grams (gram, users, common)',
      [...counts].map(([gram, users]) => [gram, users, users > COMMON_GRAM_USERS ? 1 : 0]),
    );
    for await (const users of batchesOfUsers(queryRunner)) {
      const postings = users.flatMap(({ id, searchText }) =>
        gramsOf(searchText)
          .filter((gram) => counts.get(gram)! <= COMMON_GRAM_USERS)
          .map((gram) => [gram, id]),
      );
      await insertRows(queryRunner, 'user_search_grams (gram, user_id)', postings);
      await queryRunner.query(
        `UPDATE users SET gram_bloom = CASE id ${users.map(() => 'WHEN ? THEN ?').join(' ')} END
         WHERE id IN (${users.map(() => '?').join(', ')})`,
        [...users.flatMap(({ id, searchText }) => [id, gramBloom(gramsOf(searchText))]), ...users.map(({ id }) => id)],
      );
    }
    await queryRunner.dropIndex('users', 'ix_users_username_search');
    await queryRunner.createIndex('users', new TableIndex({ name: SCAN_INDEX, columnNames: SCAN_COLUMNS }));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropIndex('users', SCAN_INDEX);
    await queryRunner.createIndex(
      'users',
      new TableIndex({ name: SCAN_INDEX, columnNames: ['username_key', 'id', 'search_text'] }),
    );
    await queryRunner.query('ALTER TABLE users DROP COLUMN gram_bloom');
    await queryRunner.dropTable('user_search_grams');
    await queryRunner.dropTable('search_grams');
  }
}

async function* batchesOfUsers(queryRunner: QueryRunner): AsyncGenerator<{ id: string; searchText: string }[]> {
  let after = '';
  for (;;) {
    const users = (await queryRunner.query(
      `SELECT id, search_text AS searchText FROM users WHERE id > ? ORDER BY id LIMIT ${BATCH}`,
      [after],
    )) as { id: string; searchText: string }[];
    if (!users.length) {
      return;
    }
    yield users;
    after = users[users.length - 1].id;
  }
}

async function insertRows(queryRunner: QueryRunner, into: string, rows: unknown[][]): Promise<void> {
  for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) {
    const chunk = rows.slice(i, i + ROWS_PER_INSERT);
    const tuple = `(${chunk[0].map(() => '?').join(', ')})`;
    await queryRunner.query(`INSERT INTO ${into} VALUES ${chunk.map(() => tuple).join(', ')}`, chunk.flat());
  }
}
