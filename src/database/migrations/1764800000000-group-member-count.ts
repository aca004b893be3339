import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `user_groups.member_count`: the number of members, kept by every membership write in the same transaction, so a
 * group's `memberCount` is read with the group instead of counted (a COUNT over 100,000 memberships took 50–90 ms).
 *
 * Plain ALTER TABLE, the same statement on both databases: TypeORM's addColumn/dropColumn rebuild the table on
 * SQLite, and dropping `user_groups` there deletes every membership by cascade (test/migrations.e2e-spec.ts).
 */
export class GroupMemberCount1764800000000 implements MigrationInterface {
  name = 'GroupMemberCount1764800000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE user_groups ADD COLUMN member_count INT NOT NULL DEFAULT 0');
    await queryRunner.query(
      'UPDATE user_groups SET member_count = (SELECT COUNT(*) FROM group_members gm WHERE gm.group_id = user_groups.id)',
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE user_groups DROP COLUMN member_count');
  }
}
