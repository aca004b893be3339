import { MigrationInterface, QueryRunner, Table, TableForeignKey, TableIndex, TableUnique } from 'typeorm';
import { ColumnTypes } from '../column-types';
import { sqlTimestamp } from '../sql-time';

const cascade = (columnNames: string[], referencedTableName: string): TableForeignKey =>
  new TableForeignKey({
    columnNames,
    referencedTableName,
    referencedColumnNames: ['id'],
    onDelete: 'CASCADE',
  });

const index = (name: string, columnNames: string[]): TableIndex => new TableIndex({ name, columnNames });

/** The permission sets of the predefined roles, frozen as they were when this migration was written. */
const PREDEFINED_ROLES: {
  id: string;
  name: string;
  description: string;
  permissions: string[];
}[] = [
  {
    id: '00000000-0000-4000-8000-000000000001',
    name: 'User Manager',
    description: 'Creates and manages users and user groups.',
    permissions: ['users.create', 'users.edit', 'users.list', 'users.remove', 'groups.manage'],
  },
  {
    id: '00000000-0000-4000-8000-000000000002',
    name: 'Security Manager',
    description: 'Grants any role in any scope and manages custom roles.',
    permissions: ['users.list', 'resources.list', 'permissions.manage', 'roles.manage'],
  },
  {
    id: '00000000-0000-4000-8000-000000000003',
    name: 'Server Administrator',
    description: 'Configures the server and its directories; reads the audit trail.',
    permissions: ['server.configure', 'audit.read'],
  },
  {
    id: '00000000-0000-4000-8000-000000000004',
    name: 'Resource Creator',
    description: 'Adds and categorizes resources.',
    permissions: ['resources.create', 'resources.categorize', 'resources.list'],
  },
  {
    id: '00000000-0000-4000-8000-000000000005',
    name: 'Resource Manager',
    description: 'Manages resources and grants access to them.',
    permissions: [
      'resources.read',
      'resources.edit',
      'resources.edit-properties',
      'resources.remove',
      'resources.administer',
      'resources.manage-access',
      'resources.manage-model-permissions',
      'users.list',
    ],
  },
  {
    id: '00000000-0000-4000-8000-000000000006',
    name: 'Resource Contributor',
    description: 'Modifies resource content.',
    permissions: ['resources.read', 'resources.edit', 'resources.edit-properties'],
  },
  {
    id: '00000000-0000-4000-8000-000000000007',
    name: 'Resource Reviewer',
    description: 'Opens and reviews resources.',
    permissions: ['resources.read'],
  },
  {
    id: '00000000-0000-4000-8000-000000000008',
    name: 'Resource Locks Administrator',
    description: "Releases other users' locks on resources.",
    permissions: ['resources.read', 'resources.release-locks'],
  },
  {
    id: '00000000-0000-4000-8000-000000000009',
    name: 'Service Client',
    description: 'Lets another service introspect tokens, check permissions and list users.',
    permissions: ['tokens.introspect', 'authz.check', 'users.list'],
  },
];

export class InitialSchema1764331200000 implements MigrationInterface {
  name = 'InitialSchema1764331200000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = new ColumnTypes(queryRunner);

    await queryRunner.createTable(
      new Table({
        name: 'users',
        columns: [
          c.id(),
          c.string('username', 100),
          c.key('username_key', 100),
          c.string('full_name', 200, true),
          c.string('email', 254, true),
          c.string('phone', 50, true),
          c.string('department', 100, true),
          c.key('search_text', 600),
          c.string('type', 16),
          c.uuid('directory_id', true),
          c.string('password_hash', 255, true),
          c.bool('enabled', true),
          c.bool('must_change_password', false),
          c.timestamp('last_login_at', true),
          c.timestamp('last_activity_at', true),
          c.timestamp('created_at'),
          c.timestamp('updated_at'),
          c.int('version', 1),
        ],
        uniques: [
          new TableUnique({
            name: 'uq_users_username_key',
            columnNames: ['username_key'],
          }),
        ],
        indices: [
          index('ix_users_created', ['created_at', 'id']),
          index('ix_users_activity', ['last_activity_at', 'id']),
          index('ix_users_type', ['type', 'username_key']),
        ],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'user_groups',
        columns: [
          c.id(),
          c.string('name', 100),
          c.key('name_key', 100),
          c.string('description', 1000, true),
          c.string('type', 16),
          c.uuid('directory_id', true),
          c.timestamp('created_at'),
          c.timestamp('updated_at'),
          c.int('version', 1),
        ],
        uniques: [
          new TableUnique({
            name: 'uq_user_groups_name_key',
            columnNames: ['name_key'],
          }),
        ],
        indices: [index('ix_user_groups_type', ['type', 'name_key'])],
      }),
    );

    // username_key is copied here (usernames never change) so member pages are one index range in username order.
    await queryRunner.createTable(
      new Table({
        name: 'group_members',
        columns: [
          { ...c.uuid('group_id'), isPrimary: true },
          { ...c.uuid('user_id'), isPrimary: true },
          c.key('username_key', 100),
          c.timestamp('created_at'),
        ],
        foreignKeys: [cascade(['group_id'], 'user_groups'), cascade(['user_id'], 'users')],
        indices: [
          index('ix_group_members_user', ['user_id', 'group_id']),
          index('ix_group_members_page', ['group_id', 'username_key']),
        ],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'roles',
        columns: [
          c.id(),
          c.string('name', 100),
          c.key('name_key', 100),
          c.string('description', 1000, true),
          c.bool('predefined', false),
          c.timestamp('created_at'),
          c.timestamp('updated_at'),
          c.int('version', 1),
        ],
        uniques: [
          new TableUnique({
            name: 'uq_roles_name_key',
            columnNames: ['name_key'],
          }),
        ],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'role_permissions',
        columns: [
          { ...c.uuid('role_id'), isPrimary: true },
          { ...c.key('permission', 64), isPrimary: true },
        ],
        foreignKeys: [cascade(['role_id'], 'roles')],
        indices: [index('ix_role_permissions_permission', ['permission', 'role_id'])],
      }),
    );

    // scope_key is '*' for a global assignment, else a digest of its sorted resources, so duplicates are one unique index.
    await queryRunner.createTable(
      new Table({
        name: 'role_assignments',
        columns: [
          c.id(),
          c.uuid('role_id'),
          c.string('principal_type', 8),
          c.uuid('principal_id'),
          c.key('scope_key', 64),
          c.timestamp('created_at'),
        ],
        foreignKeys: [cascade(['role_id'], 'roles')],
        uniques: [
          new TableUnique({
            name: 'uq_role_assignments_scope',
            columnNames: ['principal_type', 'principal_id', 'role_id', 'scope_key'],
          }),
        ],
        indices: [index('ix_role_assignments_role', ['role_id', 'principal_type', 'principal_id'])],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'assignment_resources',
        columns: [
          { ...c.uuid('assignment_id'), isPrimary: true },
          { ...c.key('resource', 255), isPrimary: true },
        ],
        foreignKeys: [cascade(['assignment_id'], 'role_assignments')],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'sessions',
        columns: [
          c.id(),
          c.uuid('user_id'),
          c.timestamp('created_at'),
          c.timestamp('expires_at'),
          c.timestamp('last_used_at', true),
          c.timestamp('revoked_at', true),
          c.string('ip', 64, true),
          c.string('user_agent', 255, true),
        ],
        foreignKeys: [cascade(['user_id'], 'users')],
        indices: [index('ix_sessions_user', ['user_id', 'created_at'])],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'refresh_tokens',
        columns: [
          { ...c.key('token_hash', 64), isPrimary: true },
          c.uuid('session_id'),
          c.timestamp('created_at'),
          c.timestamp('used_at', true),
        ],
        foreignKeys: [cascade(['session_id'], 'sessions')],
        indices: [index('ix_refresh_tokens_session', ['session_id'])],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'signing_keys',
        columns: [
          { ...c.key('kid', 64), isPrimary: true },
          c.string('algorithm', 16),
          c.text('private_key', false),
          c.text('public_key', false),
          c.timestamp('created_at'),
          c.timestamp('retired_at', true),
        ],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'login_failures',
        columns: [
          { ...c.uuid('user_id'), isPrimary: true },
          c.int('consecutive'),
          c.int('lock_count'),
          c.timestamp('locked_until', true),
          c.timestamp('hour_started_at'),
          c.int('hour_count'),
          c.timestamp('updated_at'),
        ],
        foreignKeys: [cascade(['user_id'], 'users')],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'rate_limits',
        columns: [{ ...c.key('bucket', 128), isPrimary: true }, c.int('hits'), c.timestamp('window_ends_at')],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'audit_events',
        columns: [
          c.id(),
          c.timestamp('at'),
          c.uuid('actor_id', true),
          c.string('action', 64),
          c.string('target_type', 32, true),
          c.uuid('target_id', true),
          c.string('outcome', 16),
          c.string('ip', 64, true),
          c.string('request_id', 128, true),
          c.text('details'),
        ],
        indices: [
          index('ix_audit_at', ['at', 'id']),
          index('ix_audit_actor', ['actor_id', 'at', 'id']),
          index('ix_audit_target', ['target_id', 'at', 'id']),
          index('ix_audit_action', ['action', 'at', 'id']),
        ],
      }),
    );

    const now = sqlTimestamp();
    for (const role of PREDEFINED_ROLES) {
      await queryRunner.query(
        'INSERT INTO roles (id, name, name_key, description, predefined, created_at, updated_at, version) VALUES (?, ?, ?, ?, 1, ?, ?, 1)',
        [role.id, role.name, role.name.normalize('NFC').toLowerCase(), role.description, now, now],
      );
      for (const permission of role.permissions) {
        await queryRunner.query('INSERT INTO role_permissions (role_id, permission) VALUES (?, ?)', [
          role.id,
          permission,
        ]);
      }
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of [
      'audit_events',
      'rate_limits',
      'login_failures',
      'signing_keys',
      'refresh_tokens',
      'sessions',
      'assignment_resources',
      'role_assignments',
      'role_permissions',
      'roles',
      'group_members',
      'user_groups',
      'users',
    ]) {
      await queryRunner.dropTable(table);
    }
  }
}
