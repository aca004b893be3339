import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, SelectQueryBuilder } from 'typeorm';
import { authzChanged } from '../authz/authz-epoch';
import { CursorValue } from '../common/pagination/cursor';
import { containsPattern } from '../common/like-pattern';
import { countsByType } from '../common/counts-by-type';
import { applyKeyset } from '../common/pagination/keyset';
import { EntityColumns } from '../database/entity-columns';
import { forUpdate } from '../database/locking-read';
import { PreparedStatements } from '../database/prepared-statements';
import { UserType } from '../users/entities/user.entity';
import { nameKey } from '../users/username';
import { GroupMemberEntity } from './entities/group-member.entity';
import { GroupEntity, GroupType } from './entities/group.entity';

export interface GroupFilter {
  search?: string;
  type?: GroupType;
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

/** A page of members in username order: one range of the (group_id, username_key) index, whatever the depth. */
const MEMBERS = `SELECT u.id AS id, u.username AS username, gm.username_key AS usernameKey, u.full_name AS fullName,
    u.email AS email, u.type AS type, u.enabled AS enabled
  FROM group_members gm INNER JOIN users u ON u.id = gm.user_id
  WHERE gm.group_id = ?`;
const MEMBERS_ORDER = 'ORDER BY gm.username_key, gm.user_id';

@Injectable()
export class GroupsRepository {
  private readonly columns: EntityColumns<GroupEntity>;
  private readonly byId: string;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly statements: PreparedStatements,
  ) {
    this.columns = new EntityColumns(dataSource, GroupEntity, 'g');
    this.byId = `SELECT ${this.columns.selectList} FROM user_groups g WHERE g.id = ?`;
  }

  /** The group by id, in the transaction of `manager` if given (outside one, a prepared statement). */
  async findById(id: string, manager?: EntityManager): Promise<GroupEntity | null> {
    if (manager) {
      return manager.findOneBy(GroupEntity, { id });
    }
    const [row] = await this.statements.select<Record<string, unknown>>(this.byId, [id]);
    return row ? this.columns.hydrate(row) : null;
  }

  findByNameKey(manager: EntityManager, key: string): Promise<GroupEntity | null> {
    return manager.findOneBy(GroupEntity, { nameKey: key });
  }

  /** One page of groups in name order (keyset on name_key, id). */
  page(
    filter: GroupFilter,
    direction: 'ASC' | 'DESC',
    limit: number,
    position?: CursorValue[],
  ): Promise<GroupEntity[]> {
    const qb = this.filtered(filter);
    applyKeyset(qb, 'g.nameKey', 'g.id', direction, position);
    return qb.limit(limit + 1).getMany();
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
    authzChanged(manager);
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

  /**
   * Adds the users that are not members yet and counts them into `member_count`; returns the ids added. Every
   * membership write locks the group row first, so writes to one group take turns and the count stays exact.
   */
  async addMembers(
    manager: EntityManager,
    groupId: string,
    users: readonly { id: string; usernameKey: string }[],
  ): Promise<string[]> {
    if (!users.length) {
      return [];
    }
    await this.lockGroup(manager, groupId);
    const existing = new Set(
      await this.membersAmong(
        manager,
        groupId,
        users.map((u) => u.id),
      ),
    );
    const added = [...new Map(users.map((u) => [u.id, u])).values()].filter((u) => !existing.has(u.id));
    if (added.length) {
      const createdAt = new Date();
      await manager.insert(
        GroupMemberEntity,
        added.map((u) => ({ groupId, userId: u.id, usernameKey: u.usernameKey, createdAt })),
      );
      await this.adjustMemberCount(manager, [groupId], added.length);
      authzChanged(manager);
    }
    return added.map((u) => u.id);
  }

  /** Removes members and counts them out of `member_count`; returns the ids that were members. */
  async removeMembers(manager: EntityManager, groupId: string, userIds: readonly string[]): Promise<string[]> {
    if (!userIds.length) {
      return [];
    }
    await this.lockGroup(manager, groupId);
    const present = await this.membersAmong(manager, groupId, userIds);
    if (present.length) {
      await manager
        .createQueryBuilder()
        .delete()
        .from(GroupMemberEntity)
        .where('group_id = :groupId', { groupId })
        .andWhere('user_id IN (:...ids)', { ids: present })
        .execute();
      await this.adjustMemberCount(manager, [groupId], -present.length);
      authzChanged(manager);
    }
    return present;
  }

  /** Takes a user out of every group (before the user is deleted: a cascade would leave the counts behind). */
  async removeFromAllGroups(manager: EntityManager, userId: string): Promise<void> {
    const rows = await forUpdate(
      manager
        .createQueryBuilder(GroupMemberEntity, 'gm')
        .select('gm.group_id', 'groupId')
        .where('gm.user_id = :userId', { userId }),
    ).getRawMany<{ groupId: string }>();
    if (rows.length) {
      await manager.delete(GroupMemberEntity, { userId });
      await this.adjustMemberCount(
        manager,
        rows.map((row) => row.groupId),
        -1,
      );
      authzChanged(manager);
    }
  }

  /** Holds the group row until commit (MySQL; SQLite transactions run one at a time). */
  private async lockGroup(manager: EntityManager, groupId: string): Promise<void> {
    await forUpdate(
      manager.createQueryBuilder(GroupEntity, 'g').select('g.id', 'id').where('g.id = :groupId', { groupId }),
    ).getRawOne();
  }

  /** Which of `userIds` are members, read past the transaction's snapshot (a locking read). */
  private async membersAmong(manager: EntityManager, groupId: string, userIds: readonly string[]): Promise<string[]> {
    const rows = await forUpdate(
      manager
        .createQueryBuilder(GroupMemberEntity, 'gm')
        .select('gm.user_id', 'userId')
        .where('gm.group_id = :groupId', { groupId })
        .andWhere('gm.user_id IN (:...ids)', { ids: userIds }),
    ).getRawMany<{ userId: string }>();
    return rows.map((row) => row.userId);
  }

  /** Moves the counts without touching the groups' version (their ETag covers name and description). */
  private async adjustMemberCount(manager: EntityManager, groupIds: string[], delta: number): Promise<void> {
    await manager.query(
      `UPDATE user_groups SET member_count = member_count + ? WHERE id IN (${groupIds.map(() => '?').join(', ')})`,
      [delta, ...groupIds],
    );
  }

  /** One page of members in username order (`limit + 1` rows), after `position` (username key, user id). */
  async pageMembers(groupId: string, limit: number, position?: CursorValue[]): Promise<MemberRow[]> {
    const [key, userId] = position ?? [];
    const take = `LIMIT ${Math.trunc(limit) + 1}`;
    const rows = await this.statements.select<Omit<MemberRow, 'enabled'> & { enabled: number | boolean }>(
      position
        ? `${MEMBERS} AND gm.username_key >= ? AND (gm.username_key > ? OR gm.user_id > ?) ${MEMBERS_ORDER} ${take}`
        : `${MEMBERS} ${MEMBERS_ORDER} ${take}`,
      position ? [groupId, key, key, userId] : [groupId],
    );
    return rows.map((row) => ({ ...row, enabled: Boolean(Number(row.enabled)) }));
  }

  /** One page of the groups a user belongs to, in name order (bounded by that user's memberships). */
  pageGroupsOfUser(userId: string, limit: number, position?: CursorValue[]): Promise<GroupEntity[]> {
    const qb = this.dataSource
      .getRepository(GroupEntity)
      .createQueryBuilder('g')
      .innerJoin(GroupMemberEntity, 'gm', 'gm.group_id = g.id')
      .where('gm.user_id = :userId', { userId });
    applyKeyset(qb, 'g.nameKey', 'g.id', 'ASC', position);
    return qb.limit(limit + 1).getMany();
  }
}
