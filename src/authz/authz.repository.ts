import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { GLOBAL_SCOPE, PREDEFINED_ROLES } from '../roles/permissions';

/** Who counts as an administrator: holds both globally, so can still manage users and grant roles. */
export const ADMINISTRATOR_PERMISSIONS = ['users.edit', 'permissions.manage'] as const;

/** Users holding a permission globally, directly or through a group (`:permission` bound by the caller). */
function holdersOf(parameter: string): string {
  return `SELECT ra.principal_id FROM role_assignments ra
      INNER JOIN role_permissions rp ON rp.role_id = ra.role_id AND rp.permission = :${parameter}
      WHERE ra.scope_key = '${GLOBAL_SCOPE}' AND ra.principal_type = 'user'
    UNION
    SELECT gm.user_id FROM group_members gm
      INNER JOIN role_assignments ra ON ra.principal_type = 'group' AND ra.principal_id = gm.group_id AND ra.scope_key = '${GLOBAL_SCOPE}'
      INNER JOIN role_permissions rp ON rp.role_id = ra.role_id AND rp.permission = :${parameter}`;
}

/** Read-side queries that answer "what may this user do", direct and through groups. */
@Injectable()
export class AuthzRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Every permission the user holds globally, directly or through a group: one indexed query. */
  async globalPermissions(userId: string): Promise<string[]> {
    const rows = await this.dataSource
      .createQueryBuilder()
      .select('DISTINCT rp.permission', 'permission')
      .from('role_assignments', 'ra')
      .innerJoin('role_permissions', 'rp', 'rp.role_id = ra.role_id')
      .where('ra.scope_key = :global', { global: GLOBAL_SCOPE })
      .andWhere(
        `((ra.principal_type = 'user' AND ra.principal_id = :userId) OR (ra.principal_type = 'group' AND ra.principal_id IN (SELECT gm.group_id FROM group_members gm WHERE gm.user_id = :userId)))`,
        { userId },
      )
      .getRawMany<{ permission: string }>();
    return rows.map((row) => row.permission);
  }

  /**
   * Serialises changes that could remove the last administrator: on MySQL/MariaDB a row lock on a fixed row
   * (SQLite runs one write transaction at a time anyway). Call first in such a transaction.
   */
  async lockAdministration(manager: EntityManager): Promise<void> {
    if (manager.connection.options.type !== 'better-sqlite3') {
      await manager.query('SELECT id FROM roles WHERE id = ? FOR UPDATE', [PREDEFINED_ROLES.userManager]);
    }
  }

  /** Whether at least one enabled user can still manage users and grant roles (see ADMINISTRATOR_PERMISSIONS). */
  async hasAdministrator(manager: EntityManager): Promise<boolean> {
    const [first, second] = ADMINISTRATOR_PERMISSIONS;
    const row = await manager
      .createQueryBuilder()
      .select('u.id', 'id')
      .from('users', 'u')
      .where('u.enabled = 1')
      .andWhere(`u.id IN (${holdersOf('first')})`)
      .andWhere(`u.id IN (${holdersOf('second')})`)
      .setParameters({ first, second })
      .limit(1)
      .getRawOne<{ id: string }>();
    return row !== undefined;
  }
}
