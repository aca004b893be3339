import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { EntityManager, Repository } from 'typeorm';
import { authzChanged } from '../authz/authz-epoch';
import type { CursorValue } from '../common/pagination/cursor';
import { applyKeyset } from '../common/pagination/keyset';
import { sqlTimestamp } from '../database/sql-time';
import { UserEntity } from '../users/entities/user.entity';
import { UserChanges, UsersRepository } from '../users/users.repository';
import { DirectoryEntity } from './entities/directory.entity';

/** The columns of `user_groups` this module reads (the groups module owns the entity). */
export interface GroupRow {
  id: string;
  name: string;
  type: 'internal' | 'external';
  directoryId: string | null;
  externalDn: string | null;
}

export type PrincipalRef = { type: 'user' | 'group'; id: string };

/**
 * Directories, and the writes an import, a sync, a login or a conversion makes to users, groups, memberships and
 * role assignments. Groups and assignments are written with plain SQL: their modules own the entities.
 */
@Injectable()
export class DirectoriesRepository {
  constructor(
    @InjectRepository(DirectoryEntity) private readonly directories: Repository<DirectoryEntity>,
    private readonly users: UsersRepository,
  ) {}

  /** The default entity manager, for reads outside a transaction. */
  manager(): EntityManager {
    return this.directories.manager;
  }

  findById(id: string, manager?: EntityManager): Promise<DirectoryEntity | null> {
    return (manager?.getRepository(DirectoryEntity) ?? this.directories)
      .createQueryBuilder('d')
      .addSelect('d.bindPasswordEncrypted')
      .where('d.id = :id', { id })
      .getOne();
  }

  findByDomainKey(domainKey: string): Promise<DirectoryEntity | null> {
    return this.directories
      .createQueryBuilder('d')
      .addSelect('d.bindPasswordEncrypted')
      .where('d.domainKey = :domainKey', { domainKey })
      .getOne();
  }

  /** Every directory, in name order (login tries them in this order). */
  all(): Promise<DirectoryEntity[]> {
    return this.directories
      .createQueryBuilder('d')
      .addSelect('d.bindPasswordEncrypted')
      .orderBy('d.nameKey', 'ASC')
      .addOrderBy('d.id', 'ASC')
      .getMany();
  }

  page(limit: number, position?: CursorValue[]): Promise<DirectoryEntity[]> {
    const qb = this.directories.createQueryBuilder('d').addSelect('d.bindPasswordEncrypted');
    applyKeyset(qb, 'd.nameKey', 'd.id', 'ASC', position);
    return qb.limit(limit + 1).getMany();
  }

  async insert(manager: EntityManager, directory: DirectoryEntity): Promise<void> {
    await manager.insert(DirectoryEntity, directory);
  }

  async update(
    manager: EntityManager,
    id: string,
    changes: Partial<DirectoryEntity>,
    expectedVersion?: number,
  ): Promise<boolean> {
    const qb = manager
      .createQueryBuilder()
      .update(DirectoryEntity)
      .set({ ...changes, updatedAt: new Date(), version: () => 'version + 1' })
      .where('id = :id', { id });
    if (expectedVersion !== undefined) {
      qb.andWhere('version = :expectedVersion', { expectedVersion });
    }
    return ((await qb.execute()).affected ?? 0) > 0;
  }

  async delete(manager: EntityManager, id: string): Promise<void> {
    await manager.delete(DirectoryEntity, { id });
  }

  /** Users and groups still bound to the directory. */
  async countPrincipals(manager: EntityManager, directoryId: string): Promise<number> {
    const [users] = await manager.query<{ n: number | string }[]>(
      'SELECT COUNT(*) AS n FROM users WHERE directory_id = ?',
      [directoryId],
    );
    const [groups] = await manager.query<{ n: number | string }[]>(
      'SELECT COUNT(*) AS n FROM user_groups WHERE directory_id = ?',
      [directoryId],
    );
    return Number(users.n) + Number(groups.n);
  }

  async groupExists(manager: EntityManager | undefined, id: string): Promise<boolean> {
    const rows = await (manager ?? this.directories.manager).query<unknown[]>(
      'SELECT 1 AS found FROM user_groups WHERE id = ?',
      [id],
    );
    return rows.length > 0;
  }

  async principalExists(principal: PrincipalRef): Promise<boolean> {
    const table = principal.type === 'user' ? 'users' : 'user_groups';
    const rows = await this.directories.manager.query<unknown[]>(`SELECT 1 AS found FROM ${table} WHERE id = ?`, [
      principal.id,
    ]);
    return rows.length > 0;
  }

  findUserByKey(manager: EntityManager, usernameKey: string): Promise<UserEntity | null> {
    return manager.findOneBy(UserEntity, { usernameKey });
  }

  findExternalUsers(directoryId: string): Promise<UserEntity[]> {
    return this.directories.manager.find(UserEntity, {
      where: { directoryId, type: 'external' },
      order: { usernameKey: 'ASC' },
    });
  }

  /** External users are written through UsersRepository, which keeps the search index with them. */
  async insertUser(manager: EntityManager, user: UserEntity): Promise<void> {
    await this.users.insert(manager, user);
  }

  async updateUser(
    manager: EntityManager,
    id: string,
    changes: Pick<
      UserChanges,
      | 'fullName'
      | 'email'
      | 'phone'
      | 'department'
      | 'searchText'
      | 'type'
      | 'directoryId'
      | 'externalDn'
      | 'passwordHash'
      | 'mustChangePassword'
    >,
  ): Promise<void> {
    await this.users.update(manager, id, changes);
  }

  async findGroupByNameKey(manager: EntityManager, nameKey: string): Promise<GroupRow | null> {
    const rows = await manager.query<GroupRow[]>(
      'SELECT id, name, type, directory_id AS directoryId, external_dn AS externalDn FROM user_groups WHERE name_key = ?',
      [nameKey],
    );
    return rows[0] ?? null;
  }

  findExternalGroups(directoryId: string): Promise<GroupRow[]> {
    return this.directories.manager.query<GroupRow[]>(
      `SELECT id, name, type, directory_id AS directoryId, external_dn AS externalDn FROM user_groups
       WHERE directory_id = ? AND type = 'external' ORDER BY name_key`,
      [directoryId],
    );
  }

  async insertGroup(
    manager: EntityManager,
    group: { id: string; name: string; nameKey: string; description: string | null; directoryId: string; dn: string },
  ): Promise<void> {
    const now = sqlTimestamp();
    await manager.query(
      `INSERT INTO user_groups (id, name, name_key, description, type, directory_id, external_dn, created_at, updated_at, version)
       VALUES (?, ?, ?, ?, 'external', ?, ?, ?, ?, 1)`,
      [group.id, group.name, group.nameKey, group.description, group.directoryId, group.dn, now, now],
    );
  }

  async updateGroup(manager: EntityManager, id: string, description: string | null, dn: string): Promise<void> {
    await manager.query(
      'UPDATE user_groups SET description = ?, external_dn = ?, updated_at = ?, version = version + 1 WHERE id = ?',
      [description, dn, sqlTimestamp(), id],
    );
  }

  /**
   * Copies every role assignment (with its resources) of `source` onto `target`. Used only for principals an import
   * has just created, so there is nothing to merge with.
   */
  async copyAssignments(manager: EntityManager, source: PrincipalRef, target: PrincipalRef): Promise<number> {
    const assignments = await manager.query<{ id: string; roleId: string; scopeKey: string }[]>(
      'SELECT id, role_id AS roleId, scope_key AS scopeKey FROM role_assignments WHERE principal_type = ? AND principal_id = ?',
      [source.type, source.id],
    );
    const now = sqlTimestamp();
    for (const assignment of assignments) {
      const id = randomUUID();
      await manager.query(
        `INSERT INTO role_assignments (id, role_id, principal_type, principal_id, scope_key, created_at)
         VALUES (?, ?, ?, ?, ?, ?)`,
        [id, assignment.roleId, target.type, target.id, assignment.scopeKey, now],
      );
      await manager.query(
        `INSERT INTO assignment_resources (assignment_id, resource)
         SELECT ?, resource FROM assignment_resources WHERE assignment_id = ?`,
        [id, assignment.id],
      );
    }
    if (assignments.length) {
      authzChanged(manager);
    }
    return assignments.length;
  }
}
