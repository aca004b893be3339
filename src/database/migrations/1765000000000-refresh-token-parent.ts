import { MigrationInterface, QueryRunner, TableIndex } from 'typeorm';

/**
 * `refresh_tokens.parent_hash`: the token a refresh token was issued for, unique. A rotation is then one INSERT …
 * SELECT that creates the next token only while the session is live, and the unique index lets exactly one rotation
 * of a token succeed, however many race (the others are reuse). Tokens spent before this migration keep `used_at`.
 *
 * Plain ALTER TABLE: TypeORM's addColumn rebuilds the table on SQLite (see the member-count migration).
 */
export class RefreshTokenParent1765000000000 implements MigrationInterface {
  name = 'RefreshTokenParent1765000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    // The same type as token_hash, so the two compare without a conversion.
    const type =
      queryRunner.connection.options.type === 'mysql'
        ? 'VARCHAR(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin'
        : 'VARCHAR(64)';
    await queryRunner.query(`ALTER TABLE refresh_tokens ADD COLUMN parent_hash ${type} NULL`);
    await queryRunner.createIndex(
      'refresh_tokens',
      new TableIndex({ name: 'uq_refresh_tokens_parent', columnNames: ['parent_hash'], isUnique: true }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropIndex('refresh_tokens', 'uq_refresh_tokens_parent');
    await queryRunner.query('ALTER TABLE refresh_tokens DROP COLUMN parent_hash');
  }
}
