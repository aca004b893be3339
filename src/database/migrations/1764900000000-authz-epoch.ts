import { MigrationInterface, QueryRunner, Table } from 'typeorm';

/**
 * `authz_epoch`: one row whose `value` grows with every committed change to who may do what (role permissions,
 * role assignments and their resources, group memberships, a user enabled, disabled or deleted). Each request reads
 * it with its session, so permissions cached in a replica's memory are used only while nothing changed since, on
 * any replica (see src/authz/authz-epoch.ts). A later migration that changes grants must bump it as well.
 */
export class AuthzEpoch1764900000000 implements MigrationInterface {
  name = 'AuthzEpoch1764900000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'authz_epoch',
        columns: [
          { name: 'id', type: 'int', isPrimary: true },
          { name: 'value', type: 'bigint', isNullable: false, default: 0 },
        ],
      }),
    );
    await queryRunner.query('INSERT INTO authz_epoch (id, value) VALUES (1, 0)');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('authz_epoch');
  }
}
