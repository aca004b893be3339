import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, SelectQueryBuilder } from 'typeorm';
import { CursorValue } from '../common/pagination/cursor';
import { containsPattern } from '../common/like-pattern';
import { countsByType } from '../common/counts-by-type';
import { applyKeyset } from '../common/pagination/keyset';
import { UserType } from '../users/entities/user.entity';
import { nameKey } from '../users/username';
import { GroupMemberEntity } from './entities/group-member.entity';
import { GroupEntity, GroupType } from './entities/group.entity';

export interface GroupFilter {
  search?: string;
  type?: GroupType;
}

export interface GroupRow {
  group: GroupEntity;
  memberCount: number;
}

export interface MemberRow {
  id: string;
  username: string;
  usernameKey: string;
  fullName: string | null;
  email: string | null;
  type: UserType;
  enabled: boolean;
}

@Injectable()
export class GroupsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  findById(id: string, manager: EntityManager = this.dataSource.manager): Promise<GroupEntity | null> {
    return manager.findOneBy(GroupEntity, { id });
  }

  findByNameKey(manager: EntityManager, key: string): Promise<GroupEntity | null> {
    return manager.findOneBy(GroupEntity, { nameKey: key });
  }

  async withMemberCount(group: GroupEntity, manager: EntityManager = this.dataSource.manager): Promise<GroupRow> {
    const counts = await this.memberCounts([group.id], manager);
    return { group, memberCount: counts.get(group.id) ?? 0 };
  }

  /** One page of groups in name order (keyset on name_key, id), each with its member count. */
  async page(
    filter: GroupFilter,
    direction: 'ASC' | 'DESC',
    limit: number,
    position?: CursorValue[],
  ): Promise<GroupRow[]> {
    const qb = this.filtered(filter);
    applyKeyset(qb, 'g.nameKey', 'g.id', direction, position);
    const groups = await qb.limit(limit + 1).getMany();
    const counts = await this.memberCounts(groups.map((g) => g.id));
    return groups.map((group) => ({ group, memberCount: counts.get(group.id) ?? 0 }));
  }

  async countByType(): Promise<Record<'internal' | 'external', number>> {
    const rows = await this.dataSource
      .getRepository(GroupEntity)
      .createQueryBuilder('g')
      .select('g.type', 'type')
      .addSelect('COUNT(*)', 'count')
      .groupBy('g.type')
      .getRawMany<{ type: 'internal' | 'external'; count: string | number }>();
    return countsByType(rows);
  }

  count(filter: GroupFilter): Promise<number> {
    return this.filtered(filter).getCount();
  }

  private filtered(filter: GroupFilter): SelectQueryBuilder<GroupEntity> {
    const qb = this.dataSource.getRepository(GroupEntity).createQueryBuilder('g');
    if (filter.search) {
      qb.andWhere("g.nameKey LIKE :search ESCAPE '!'", { search: containsPattern(nameKey(filter.search)) });
    }
    if (filter.type) {
      qb.andWhere('g.type = :type', { type: filter.type });
    }
    return qb;
  }

  /** Member counts of a page of groups: one grouped query over the (group_id, username_key) index. */
  private async memberCounts(
    groupIds: string[],
    manager: EntityManager = this.dataSource.manager,
  ): Promise<Map<string, number>> {
    if (!groupIds.length) {
      return new Map();
    }
    const rows = await manager
      .createQueryBuilder()
      .select('gm.group_id', 'groupId')
      .addSelect('COUNT(*)', 'count')
      .from('group_members', 'gm')
      .where('gm.group_id IN (:...groupIds)', { groupIds })
      .groupBy('gm.group_id')
      .getRawMany<{ groupId: string; count: string | number }>();
    return new Map(rows.map((row) => [row.groupId, Number(row.count)]));
  }

  async insert(manager: EntityManager, group: GroupEntity): Promise<void> {
    await manager.insert(GroupEntity, group);
  }

  /** Updates name/description and bumps the version. */
  async update(
    manager: EntityManager,
    id: string,
    fields: Partial<Pick<GroupEntity, 'name' | 'nameKey' | 'description'>>,
  ): Promise<void> {
    await manager
      .createQueryBuilder()
      .update(GroupEntity)
      .set({ ...fields, updatedAt: new Date(), version: () => 'version + 1' })
      .where('id = :id', { id })
      .execute();
  }

  async delete(manager: EntityManager, id: string): Promise<void> {
    await manager.delete(GroupEntity, { id });
  }

  /** The users among `ids` that exist, with their username keys. */
  async findUsers(manager: EntityManager, ids: readonly string[]): Promise<{ id: string; usernameKey: string }[]> {
    if (!ids.length) {
      return [];
    }
    return manager
      .createQueryBuilder()
      .select('u.id', 'id')
      .addSelect('u.username_key', 'usernameKey')
      .from('users', 'u')
      .where('u.id IN (:...ids)', { ids })
      .getRawMany<{ id: string; usernameKey: string }>();
  }

  async userExists(id: string): Promise<boolean> {
    const row = await this.dataSource
      .createQueryBuilder()
      .select('u.id', 'id')
      .from('users', 'u')
      .where('u.id = :id', { id })
      .getRawOne<{ id: string }>();
    return row !== undefined;
  }

  /** Adds members, leaving existing memberships alone (safe against a concurrent add of the same user). */
  async addMembers(
    manager: EntityManager,
    groupId: string,
    users: readonly { id: string; usernameKey: string }[],
  ): Promise<string[]> {
    if (!users.length) {
      return [];
    }
    const existing = new Set(
      (
        await manager
          .createQueryBuilder()
          .select('gm.user_id', 'userId')
          .from('group_members', 'gm')
          .where('gm.group_id = :groupId', { groupId })
          .andWhere('gm.user_id IN (:...ids)', { ids: users.map((u) => u.id) })
          .getRawMany<{ userId: string }>()
      ).map((row) => row.userId),
    );
    const added = users.filter((u) => !existing.has(u.id));
    if (added.length) {
      const createdAt = new Date();
      await manager
        .createQueryBuilder()
        .insert()
        .into(GroupMemberEntity)
        .values(added.map((u) => ({ groupId, userId: u.id, usernameKey: u.usernameKey, createdAt })))
        .orIgnore()
        .execute();
    }
    return added.map((u) => u.id);
  }

  /** Removes members; returns the ids that were members. */
  async removeMembers(manager: EntityManager, groupId: string, userIds: readonly string[]): Promise<string[]> {
    if (!userIds.length) {
      return [];
    }
    const present = (
      await manager
        .createQueryBuilder()
        .select('gm.user_id', 'userId')
        .from('group_members', 'gm')
        .where('gm.group_id = :groupId', { groupId })
        .andWhere('gm.user_id IN (:...ids)', { ids: userIds })
        .getRawMany<{ userId: string }>()
    ).map((row) => row.userId);
    if (present.length) {
      await manager
        .createQueryBuilder()
        .delete()
        .from(GroupMemberEntity)
        .where('group_id = :groupId', { groupId })
        .andWhere('user_id IN (:...ids)', { ids: present })
        .execute();
    }
    return present;
  }

  /** One page of members in username order: one range of the (group_id, username_key) index, whatever the depth. */
  async pageMembers(groupId: string, limit: number, position?: CursorValue[]): Promise<MemberRow[]> {
    const qb = this.dataSource
      .createQueryBuilder()
      .select('u.id', 'id')
      .addSelect('u.username', 'username')
      .addSelect('gm.username_key', 'usernameKey')
      .addSelect('u.full_name', 'fullName')
      .addSelect('u.email', 'email')
      .addSelect('u.type', 'type')
      .addSelect('u.enabled', 'enabled')
      .from('group_members', 'gm')
      .innerJoin('users', 'u', 'u.id = gm.user_id')
      .where('gm.group_id = :groupId', { groupId });
    applyKeyset(qb, 'gm.username_key', 'gm.user_id', 'ASC', position);
    const rows = await qb.limit(limit + 1).getRawMany<Omit<MemberRow, 'enabled'> & { enabled: number | boolean }>();
    return rows.map((row) => ({ ...row, enabled: Boolean(Number(row.enabled)) }));
  }

  /** One page of the groups a user belongs to, in name order (bounded by that user's memberships). */
  async pageGroupsOfUser(userId: string, limit: number, position?: CursorValue[]): Promise<GroupRow[]> {
    const qb = this.dataSource
      .getRepository(GroupEntity)
      .createQueryBuilder('g')
      .innerJoin(GroupMemberEntity, 'gm', 'gm.group_id = g.id')
      .where('gm.user_id = :userId', { userId });
    applyKeyset(qb, 'g.nameKey', 'g.id', 'ASC', position);
    const groups = await qb.limit(limit + 1).getMany();
    const counts = await this.memberCounts(groups.map((g) => g.id));
    return groups.map((group) => ({ group, memberCount: counts.get(group.id) ?? 0 }));
  }
}
