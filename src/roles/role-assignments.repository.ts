import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { CursorValue } from '../common/pagination/cursor';
import { parseSqlTimestamp } from '../database/sql-time';
import { AssignmentResourceEntity } from './entities/assignment-resource.entity';
import { RoleAssignmentEntity, PrincipalType } from './entities/role-assignment.entity';
import { GLOBAL_SCOPE } from './permissions';
import { scopeKeyOf } from './scope';
import { authzChanged } from '../authz/authz-epoch';

export interface Principal {
  type: PrincipalType;
  id: string;
}

export interface AssignmentRow {
  id: string;
  roleId: string;
  roleName: string;
  principal: Principal;
  scopeKey: string;
  /** null for a global assignment. */
  resources: string[] | null;
  createdAt: Date;
}

export interface RoleHolderRow extends AssignmentRow {
  /** The username or group name. */
  principalName: string;
}

interface RawAssignment {
  id: string;
  roleId: string;
  roleName: string;
  principalType: PrincipalType;
  principalId: string;
  scopeKey: string;
  createdAt: Date | string;
}

const PRINCIPAL_TABLES: Record<PrincipalType, string> = { user: 'users', group: 'user_groups' };

@Injectable()
export class RoleAssignmentsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async assignGlobal(
    manager: EntityManager,
    principal: { type: PrincipalType; id: string },
    roleIds: readonly string[],
  ): Promise<void> {
    await manager.insert(
      RoleAssignmentEntity,
      roleIds.map((roleId) => ({
        id: randomUUID(),
        roleId,
        principalType: principal.type,
        principalId: principal.id,
        scopeKey: GLOBAL_SCOPE,
        createdAt: new Date(),
      })),
    );
    authzChanged(manager);
  }

  /**
   * Inserts one assignment (resources null = global) and returns its id. A duplicate (same principal, role and
   * scope) fails on the unique index: callers map it to 409 `assignment_exists`.
   */
  async insert(
    manager: EntityManager,
    principal: Principal,
    roleId: string,
    resources: string[] | null,
  ): Promise<string> {
    const id = randomUUID();
    await manager.insert(RoleAssignmentEntity, {
      id,
      roleId,
      principalType: principal.type,
      principalId: principal.id,
      scopeKey: scopeKeyOf(resources),
      createdAt: new Date(),
    });
    if (resources?.length) {
      await manager.insert(
        AssignmentResourceEntity,
        resources.map((resource) => ({ assignmentId: id, resource })),
      );
    }
    authzChanged(manager);
    return id;
  }

  /**
   * Removes every assignment of a user or group (their resources go by cascade). The users service calls this
   * when it deletes a user; memberships go with the user by foreign key.
   */
  async deleteForPrincipal(manager: EntityManager, principal: Principal): Promise<number> {
    const result = await manager.delete(RoleAssignmentEntity, {
      principalType: principal.type,
      principalId: principal.id,
    });
    authzChanged(manager);
    return result.affected ?? 0;
  }

  async deleteById(manager: EntityManager, id: string): Promise<void> {
    await manager.delete(RoleAssignmentEntity, { id });
    authzChanged(manager);
  }

  /** Whether the user or group exists. */
  async principalExists(principal: Principal, manager: EntityManager = this.dataSource.manager): Promise<boolean> {
    const row = await manager
      .createQueryBuilder()
      .select('p.id', 'id')
      .from(PRINCIPAL_TABLES[principal.type], 'p')
      .where('p.id = :id', { id: principal.id })
      .getRawOne<{ id: string }>();
    return row !== undefined;
  }

  /** One assignment of the principal, or null. */
  async findOfPrincipal(
    manager: EntityManager,
    principal: Principal,
    assignmentId: string,
  ): Promise<AssignmentRow | null> {
    const rows = await this.select(manager)
      .where('ra.id = :assignmentId', { assignmentId })
      .andWhere('ra.principal_type = :type AND ra.principal_id = :id', principal)
      .getRawMany<RawAssignment>();
    return (await this.withResources(manager, rows))[0] ?? null;
  }

  /** One page of a principal's assignments in id order (bounded by that principal's assignments). */
  async pageOfPrincipal(principal: Principal, limit: number, position?: CursorValue[]): Promise<AssignmentRow[]> {
    const qb = this.select(this.dataSource.manager).where(
      'ra.principal_type = :type AND ra.principal_id = :id',
      principal,
    );
    if (position) {
      qb.andWhere('ra.id > :afterId', { afterId: position[0] });
    }
    const rows = await qb
      .orderBy('ra.id', 'ASC')
      .limit(limit + 1)
      .getRawMany<RawAssignment>();
    return this.withResources(this.dataSource.manager, rows);
  }

  /** Every assignment of a principal (for copying). */
  async allOfPrincipal(manager: EntityManager, principal: Principal): Promise<AssignmentRow[]> {
    const rows = await this.select(manager)
      .where('ra.principal_type = :type AND ra.principal_id = :id', principal)
      .orderBy('ra.id', 'ASC')
      .getRawMany<RawAssignment>();
    return this.withResources(manager, rows);
  }

  /**
   * One page of the users and groups holding a role: a range of the (role_id, principal_type, principal_id)
   * index, keyset on (principal type, principal id, assignment id).
   */
  async pageHoldersOfRole(roleId: string, limit: number, position?: CursorValue[]): Promise<RoleHolderRow[]> {
    const qb = this.select(this.dataSource.manager)
      .addSelect('COALESCE(u.username, g.name)', 'principalName')
      .leftJoin('users', 'u', "ra.principal_type = 'user' AND u.id = ra.principal_id")
      .leftJoin('user_groups', 'g', "ra.principal_type = 'group' AND g.id = ra.principal_id")
      .where('ra.role_id = :roleId', { roleId });
    if (position) {
      const [type, principalId, id] = position;
      qb.andWhere(
        '(ra.principal_type > :kType OR (ra.principal_type = :kType AND (ra.principal_id > :kPrincipal OR (ra.principal_id = :kPrincipal AND ra.id > :kId))))',
        { kType: type, kPrincipal: principalId, kId: id },
      );
    }
    const rows = await qb
      .orderBy('ra.principal_type', 'ASC')
      .addOrderBy('ra.principal_id', 'ASC')
      .addOrderBy('ra.id', 'ASC')
      .limit(limit + 1)
      .getRawMany<RawAssignment & { principalName: string | null }>();
    const assignments = await this.withResources(this.dataSource.manager, rows);
    return assignments.map((a, i) => ({ ...a, principalName: rows[i].principalName ?? '' }));
  }

  private select(manager: EntityManager) {
    return manager
      .createQueryBuilder()
      .select('ra.id', 'id')
      .addSelect('ra.role_id', 'roleId')
      .addSelect('r.name', 'roleName')
      .addSelect('ra.principal_type', 'principalType')
      .addSelect('ra.principal_id', 'principalId')
      .addSelect('ra.scope_key', 'scopeKey')
      .addSelect('ra.created_at', 'createdAt')
      .from('role_assignments', 'ra')
      .innerJoin('roles', 'r', 'r.id = ra.role_id');
  }

  /** Adds the resources of the scoped assignments among `rows`: one query for the lot. */
  private async withResources(manager: EntityManager, rows: RawAssignment[]): Promise<AssignmentRow[]> {
    const scopedIds = rows.filter((row) => row.scopeKey !== GLOBAL_SCOPE).map((row) => row.id);
    const resources = new Map<string, string[]>();
    if (scopedIds.length) {
      const resourceRows = await manager
        .createQueryBuilder()
        .select('ar.assignment_id', 'assignmentId')
        .addSelect('ar.resource', 'resource')
        .from('assignment_resources', 'ar')
        .where('ar.assignment_id IN (:...scopedIds)', { scopedIds })
        .orderBy('ar.resource', 'ASC')
        .getRawMany<{ assignmentId: string; resource: string }>();
      for (const row of resourceRows) {
        resources.set(row.assignmentId, [...(resources.get(row.assignmentId) ?? []), row.resource]);
      }
    }
    return rows.map((row) => ({
      id: row.id,
      roleId: row.roleId,
      roleName: row.roleName,
      principal: { type: row.principalType, id: row.principalId },
      scopeKey: row.scopeKey,
      resources: row.scopeKey === GLOBAL_SCOPE ? null : (resources.get(row.id) ?? []),
      createdAt: parseSqlTimestamp(row.createdAt) ?? new Date(0),
    }));
  }
}
