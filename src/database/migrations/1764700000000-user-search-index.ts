import { MigrationInterface, QueryRunner, TableIndex } from 'typeorm';

/**
 * One index for user pages in username order and for substring search: (username_key, id, search_text).
 * - `ORDER BY username_key, id` is served by its first two columns. MariaDB did not take the unique username_key
 *   index (with the primary key implicit in it) for that order, and sorted all users for every first page.
 * - Substring search reads the ids of a page from this index alone (search_text is in it), walking in username
 *   order until the page is full, without reading a single row; the page's rows are then read by id.
 */
export class UserSearchIndex1764700000000 implements MigrationInterface {
  name = 'UserSearchIndex1764700000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createIndex(
      'users',
      new TableIndex({ name: 'ix_users_username_search', columnNames: ['username_key', 'id', 'search_text'] }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropIndex('users', 'ix_users_username_search');
  }
}
