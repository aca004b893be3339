import { MigrationInterface, QueryRunner, Table, TableColumn, TableForeignKey, TableIndex, TableUnique } from 'typeorm';
import { ColumnTypes } from '../column-types';

/**
 * LDAP directories, and the DN that maps an external user or group back to its directory entry
 * (looked up by `(directory_id, ...)` during synchronisation).
 */
export class Directories1764600000000 implements MigrationInterface {
  name = 'Directories1764600000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = new ColumnTypes(queryRunner);

    await queryRunner.createTable(
      new Table({
        name: 'directories',
        columns: [
          c.id(),
          c.string('name', 100),
          c.key('name_key', 100),
          c.string('domain', 100),
          c.key('domain_key', 100),
          c.string('url', 500),
          c.string('bind_dn', 500),
          // AES-256-GCM: base64 of iv ‖ tag ‖ ciphertext; never the password itself.
          c.text('bind_password_encrypted', true),
          c.string('base_dn', 500),
          c.string('user_filter', 1000),
          c.string('group_filter', 1000),
          c.text('attributes', false),
          c.bool('create_users_on_login', false),
          c.uuid('default_group_id', true),
          c.timestamp('created_at'),
          c.timestamp('updated_at'),
          c.int('version', 1),
        ],
        uniques: [
          new TableUnique({ name: 'uq_directories_name_key', columnNames: ['name_key'] }),
          new TableUnique({ name: 'uq_directories_domain_key', columnNames: ['domain_key'] }),
        ],
        foreignKeys: [
          new TableForeignKey({
            columnNames: ['default_group_id'],
            referencedTableName: 'user_groups',
            referencedColumnNames: ['id'],
            onDelete: 'SET NULL',
          }),
        ],
      }),
    );

    await queryRunner.addColumn('users', new TableColumn(c.string('external_dn', 500, true)));
    await queryRunner.createIndex(
      'users',
      new TableIndex({ name: 'ix_users_directory', columnNames: ['directory_id'] }),
    );
    await queryRunner.addColumn('user_groups', new TableColumn(c.string('external_dn', 500, true)));
    await queryRunner.createIndex(
      'user_groups',
      new TableIndex({ name: 'ix_user_groups_directory', columnNames: ['directory_id'] }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropIndex('user_groups', 'ix_user_groups_directory');
    await queryRunner.dropColumn('user_groups', 'external_dn');
    await queryRunner.dropIndex('users', 'ix_users_directory');
    await queryRunner.dropColumn('users', 'external_dn');
    await queryRunner.dropTable('directories');
  }
}
