import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { PreparedStatements } from '../database/prepared-statements';
import { GLOBAL_SCOPE, PREDEFINED_ROLES } from '../roles/permissions';
import { ScopedPermission, UserAccess, userAccess } from './user-access';

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

export interface GrantRow {
  assignmentId: string;
  roleId: string;
  /** The group the assignment comes through; null for a direct assignment. */
  groupId: string | null;
  scopeKey: string;
  permission: string;
}

const USER_ENABLED = 'SELECT enabled FROM users WHERE id = ?';

/** The user's assignments, direct and through groups, whose `scope_key` meets `scope` (`= '*'`); binds the user id twice. */
function assignmentsOfUser(scope: string): string {
  return `SELECT ra.role_id, ra.id FROM role_assignments ra
      WHERE ra.principal_type = 'user' AND ra.principal_id = ? AND ra.scope_key ${scope}
    UNION ALL
    SELECT ra.role_id, ra.id FROM group_members gm
      INNER JOIN role_assignments ra ON ra.principal_type = 'group' AND ra.principal_id = gm.group_id
      WHERE gm.user_id = ? AND ra.scope_key ${scope}`;
}

const GLOBAL_PERMISSIONS = `SELECT DISTINCT rp.permission AS permission FROM (${assignmentsOfUser(`= '${GLOBAL_SCOPE}'`)}) a
  INNER JOIN role_permissions rp ON rp.role_id = a.role_id`;

/** More scoped grants than this are not held in memory: `isAllowed`'s query answers for such a user. */
export const MAX_CACHED_GRANTS = 20_000;

const SCOPED_PERMISSIONS = `SELECT rp.permission AS permission, ar.resource AS resource FROM (${assignmentsOfUser(`<> '${GLOBAL_SCOPE}'`)}) a
  INNER JOIN role_permissions rp ON rp.role_id = a.role_id
  INNER JOIN assignment_resources ar ON ar.assignment_id = a.id
  LIMIT ${MAX_CACHED_GRANTS + 1}`;

/** Read-side queries that answer "what may this user do", direct and through groups. */
@Injectable()
export class AuthzRepository {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly statements: PreparedStatements,
  ) {}

  /**
   * Everything the user may do, as `UserAccess`, in three prepared statements: the enabled flag, the global
   * permissions, the (permission, resource) pairs of resource-scoped assignments (up to MAX_CACHED_GRANTS).
   * Null for an unknown user.
   */
  async access(userId: string): Promise<UserAccess | null> {
    const [user] = await this.statements.select<{ enabled: number | boolean }>(USER_ENABLED, [userId]);
    if (!user) {
      return null;
    }
    const global = await this.statements.select<{ permission: string }>(GLOBAL_PERMISSIONS, [userId, userId]);
    const scoped = await this.statements.select<ScopedPermission>(SCOPED_PERMISSIONS, [userId, userId]);
    return userAccess(
      Boolean(Number(user.enabled)),
      global.map((row) => row.permission),
      scoped.length > MAX_CACHED_GRANTS ? null : scoped,
    );
  }

  /** Whether the user exists and is enabled; null when there is no such user. */
  async userEnabled(userId: string): Promise<boolean | null> {
    const rows = await this.dataSource.query<{ enabled: number | boolean }[]>(
      'SELECT enabled FROM users WHERE id = ?',
      [userId],
    );
    return rows.length ? Boolean(Number(rows[0].enabled)) : null;
  }

  /**
   * May the user do `permission` (on `resource`)? One query over indexes: the user's row, their direct assignments
   * by (principal_type, principal_id), their groups by (user_id, group_id), the roles' permissions by primary key and
   * the assignment's resources by primary key. Disabled and unknown users never may. With `globalOnly` (or no
   * resource) only global assignments count.
   */
  async isAllowed(userId: string, permission: string, resource: string | null, globalOnly: boolean): Promise<boolean> {
    const scoped = resource !== null && !globalOnly;
    const scope = scoped
      ? `(ra.scope_key = '${GLOBAL_SCOPE}' OR EXISTS (SELECT 1 FROM assignment_resources ar WHERE ar.assignment_id = ra.id AND ar.resource = ?))`
      : `ra.scope_key = '${GLOBAL_SCOPE}'`;
    const sql = `SELECT 1 AS allowed FROM users u
      WHERE u.id = ? AND u.enabled = 1 AND (
        EXISTS (SELECT 1 FROM role_assignments ra
          INNER JOIN role_permissions rp ON rp.role_id = ra.role_id AND rp.permission = ?
          WHERE ra.principal_type = 'user' AND ra.principal_id = u.id AND ${scope})
        OR EXISTS (SELECT 1 FROM group_members gm
          INNER JOIN role_assignments ra ON ra.principal_type = 'group' AND ra.principal_id = gm.group_id
          INNER JOIN role_permissions rp ON rp.role_id = ra.role_id AND rp.permission = ?
          WHERE gm.user_id = u.id AND ${scope}))`;
    const parameters = scoped ? [userId, permission, resource, permission, resource] : [userId, permission, permission];
    const rows = await this.dataSource.query<unknown[]>(sql, parameters);
    return rows.length > 0;
  }

  /** Every (assignment, permission) the user holds, directly or through a group: one query. */
  grants(userId: string): Promise<GrantRow[]> {
    return this.dataSource.query<GrantRow[]>(
      `SELECT ra.id AS assignmentId, ra.role_id AS roleId, NULL AS groupId, ra.scope_key AS scopeKey, rp.permission AS permission
         FROM role_assignments ra
         INNER JOIN role_permissions rp ON rp.role_id = ra.role_id
         WHERE ra.principal_type = 'user' AND ra.principal_id = ?
       UNION ALL
       SELECT ra.id, ra.role_id, gm.group_id, ra.scope_key, rp.permission
         FROM group_members gm
         INNER JOIN role_assignments ra ON ra.principal_type = 'group' AND ra.principal_id = gm.group_id
         INNER JOIN role_permissions rp ON rp.role_id = ra.role_id
         WHERE gm.user_id = ?`,
      [userId, userId],
    );
  }

  /** The resources of the given assignments (only `resource` when given): one query. */
  async resources(assignmentIds: string[], resource?: string): Promise<{ assignmentId: string; resource: string }[]> {
    if (!assignmentIds.length) {
      return [];
    }
    const qb = this.dataSource
      .createQueryBuilder()
      .select('ar.assignment_id', 'assignmentId')
      .addSelect('ar.resource', 'resource')
      .from('assignment_resources', 'ar')
      .where('ar.assignment_id IN (:...assignmentIds)', { assignmentIds });
    if (resource !== undefined) {
      qb.andWhere('ar.resource = :resource', { resource });
    }
    return qb.getRawMany<{ assignmentId: string; resource: string }>();
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
