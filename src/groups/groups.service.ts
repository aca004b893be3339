import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { AuthzService } from '../authz/authz.service';
import { isForeignKeyViolation, isUniqueViolation } from '../common/errors/database-errors';
import { ProblemException } from '../common/errors/problem.exception';
import { assertIfMatch } from '../common/etag';
import { decodeCursor } from '../common/pagination/cursor';
import { Page, pageLimit, toPage } from '../common/pagination/page';
import { PageQueryDto } from '../common/pagination/page-query.dto';
import type { RequestContext } from '../common/request-context';
import { TransactionRunner } from '../database/transaction-runner';
import { RoleAssignmentsRepository } from '../roles/role-assignments.repository';
import { nameKey } from '../users/username';
import { CreateGroupDto } from './dto/create-group.dto';
import { GroupDto } from './dto/group.dto';
import { GroupFilterDto, GroupListQueryDto } from './dto/group-query.dto';
import { MemberDto } from './dto/member.dto';
import { UpdateGroupDto } from './dto/update-group.dto';
import { UpdateMembersDto } from './dto/update-members.dto';
import { GroupEntity } from './entities/group.entity';
import { GroupsRepository, MemberRow } from './groups.repository';

export function toGroupResponse(group: GroupEntity): GroupDto {
  return {
    id: group.id,
    name: group.name,
    description: group.description,
    type: group.type,
    directoryId: group.directoryId,
    memberCount: group.memberCount,
    createdAt: group.createdAt.toISOString(),
    updatedAt: group.updatedAt.toISOString(),
  };
}

function toMemberResponse(row: MemberRow): MemberDto {
  return {
    id: row.id,
    username: row.username,
    fullName: row.fullName,
    email: row.email,
    type: row.type,
    enabled: row.enabled,
  };
}

function groupNameTaken(): ProblemException {
  return ProblemException.conflict('group_name_taken', 'A group with this name already exists.');
}

function readOnlyExternal(): ProblemException {
  return ProblemException.conflict(
    'read_only_external',
    'The name, description and members of an external group come from its directory and cannot be changed here.',
  );
}

function unknownUsers(ids: string[]): ProblemException {
  return new ProblemException(404, 'not_found', `These users do not exist: ${ids.join(', ')}.`);
}

@Injectable()
export class GroupsService {
  constructor(
    private readonly groups: GroupsRepository,
    private readonly assignments: RoleAssignmentsRepository,
    private readonly transactions: TransactionRunner,
    private readonly audit: AuditService,
    private readonly authz: AuthzService,
  ) {}

  async list(query: GroupListQueryDto): Promise<Page<GroupDto>> {
    const limit = pageLimit(query.limit);
    const position = query.cursor ? decodeCursor(query.cursor, 2) : undefined;
    const direction = query.sort === '-name' ? 'DESC' : 'ASC';
    const groups = await this.groups.page(query, direction, limit, position);
    return toPage(groups, limit, (g) => [g.nameKey, g.id], toGroupResponse);
  }

  count(filter: GroupFilterDto): Promise<number> {
    return this.groups.count(filter);
  }

  async get(id: string): Promise<GroupEntity> {
    const group = await this.groups.findById(id);
    if (!group) {
      throw ProblemException.notFound('group');
    }
    return group;
  }

  async create(context: RequestContext, dto: CreateGroupDto): Promise<GroupEntity> {
    const now = new Date();
    const group: GroupEntity = {
      id: randomUUID(),
      name: dto.name.normalize('NFC'),
      nameKey: nameKey(dto.name),
      description: dto.description ?? null,
      type: 'internal',
      directoryId: null,
      createdAt: now,
      updatedAt: now,
      version: 1,
      memberCount: 0,
    };
    const memberIds = [...new Set(dto.memberIds ?? [])];
    try {
      await this.transactions.run(async (manager) => {
        if (await this.groups.findByNameKey(manager, group.nameKey)) {
          throw groupNameTaken();
        }
        const users = await this.existingUsers(manager, memberIds);
        await this.groups.insert(manager, group);
        await this.groups.addMembers(manager, group.id, users);
        await this.audit.record(manager, context, {
          action: 'group.created',
          targetType: 'group',
          targetId: group.id,
          details: { name: group.name, memberIds },
        });
      });
    } catch (error) {
      throw isUniqueViolation(error) ? groupNameTaken() : error;
    }
    return this.get(group.id);
  }

  async update(context: RequestContext, id: string, dto: UpdateGroupDto, ifMatch?: string): Promise<GroupEntity> {
    try {
      await this.transactions.run(async (manager) => {
        const group = await this.findOrThrow(manager, id);
        assertIfMatch(ifMatch, group.version);
        const fields: Partial<Pick<GroupEntity, 'name' | 'nameKey' | 'description'>> = {};
        if (dto.name !== undefined) {
          fields.name = dto.name.normalize('NFC');
          fields.nameKey = nameKey(dto.name);
        }
        if (dto.description !== undefined) {
          fields.description = dto.description;
        }
        if (!Object.keys(fields).length) {
          return;
        }
        if (group.type === 'external') {
          throw readOnlyExternal();
        }
        if (fields.nameKey !== undefined) {
          const holder = await this.groups.findByNameKey(manager, fields.nameKey);
          if (holder && holder.id !== id) {
            throw groupNameTaken();
          }
        }
        await this.groups.update(manager, id, fields);
        await this.audit.record(manager, context, {
          action: 'group.updated',
          targetType: 'group',
          targetId: id,
          details: {
            ...(fields.name !== undefined ? { name: fields.name, previousName: group.name } : {}),
            ...(fields.description !== undefined ? { descriptionChanged: true } : {}),
          },
        });
      });
    } catch (error) {
      throw isUniqueViolation(error) ? groupNameTaken() : error;
    }
    return this.get(id);
  }

  /** Deletes the group with its memberships (by cascade) and its role assignments; members lose them at once. */
  async remove(context: RequestContext, id: string): Promise<void> {
    await this.transactions.run(async (manager) => {
      await this.authz.lockAdministration(manager);
      const group = await this.findOrThrow(manager, id);
      const removedAssignments = await this.assignments.deleteForPrincipal(manager, { type: 'group', id });
      await this.groups.delete(manager, id);
      await this.authz.assertAdministratorRemains(manager);
      await this.audit.record(manager, context, {
        action: 'group.deleted',
        targetType: 'group',
        targetId: id,
        details: { name: group.name, type: group.type, removedAssignments },
      });
    });
  }

  async members(id: string, query: PageQueryDto): Promise<Page<MemberDto>> {
    // Only existence matters here: counting a large group's members would cost more than the page itself.
    if (!(await this.groups.findById(id))) {
      throw ProblemException.notFound('group');
    }
    const limit = pageLimit(query.limit);
    const position = query.cursor ? decodeCursor(query.cursor, 2) : undefined;
    const rows = await this.groups.pageMembers(id, limit, position);
    return toPage(rows, limit, (r) => [r.usernameKey, r.id], toMemberResponse);
  }

  async groupsOfUser(userId: string, query: PageQueryDto): Promise<Page<GroupDto>> {
    if (!(await this.groups.userExists(userId))) {
      throw ProblemException.notFound('user');
    }
    const limit = pageLimit(query.limit);
    const position = query.cursor ? decodeCursor(query.cursor, 2) : undefined;
    const groups = await this.groups.pageGroupsOfUser(userId, limit, position);
    return toPage(groups, limit, (g) => [g.nameKey, g.id], toGroupResponse);
  }

  /**
   * Adds and removes members atomically: an unknown user anywhere in the request changes nothing (404). Removing
   * members is guarded by the last-administrator rule, as a member may hold their administration through the group.
   */
  async changeMembers(context: RequestContext, id: string, dto: UpdateMembersDto): Promise<GroupEntity> {
    const add = [...new Set(dto.add ?? [])];
    const remove = [...new Set(dto.remove ?? [])];
    const both = add.filter((userId) => remove.includes(userId));
    if (both.length) {
      throw ProblemException.validation([
        { field: 'remove', message: `must not repeat users in add: ${both.join(', ')}` },
      ]);
    }
    await this.transactions.run(async (manager) => {
      if (remove.length) {
        await this.authz.lockAdministration(manager);
      }
      const group = await this.findOrThrow(manager, id);
      if (group.type === 'external') {
        throw readOnlyExternal();
      }
      const users = await this.existingUsers(manager, [...add, ...remove]);
      const added = await this.addMembers(
        manager,
        id,
        users.filter((u) => add.includes(u.id)),
      );
      const removed = await this.groups.removeMembers(manager, id, remove);
      if (removed.length) {
        await this.authz.assertAdministratorRemains(manager);
      }
      if (added.length || removed.length) {
        await this.audit.record(manager, context, {
          action: 'group.members_changed',
          targetType: 'group',
          targetId: id,
          details: { added, removed },
        });
      }
    });
    return this.get(id);
  }

  async addMember(context: RequestContext, id: string, userId: string): Promise<void> {
    await this.changeMembers(context, id, { add: [userId] });
  }

  async removeMember(context: RequestContext, id: string, userId: string): Promise<void> {
    await this.changeMembers(context, id, { remove: [userId] });
  }

  private async addMembers(
    manager: EntityManager,
    groupId: string,
    users: { id: string; usernameKey: string }[],
  ): Promise<string[]> {
    try {
      return await this.groups.addMembers(manager, groupId, users);
    } catch (error) {
      // A user or the group deleted by a concurrent request.
      throw isForeignKeyViolation(error) ? ProblemException.notFound('user or group') : error;
    }
  }

  private async findOrThrow(manager: EntityManager, id: string): Promise<GroupEntity> {
    const group = await this.groups.findById(id, manager);
    if (!group) {
      throw ProblemException.notFound('group');
    }
    return group;
  }

  private async existingUsers(manager: EntityManager, ids: string[]): Promise<{ id: string; usernameKey: string }[]> {
    const users = await this.groups.findUsers(manager, ids);
    if (users.length !== ids.length) {
      const found = new Set(users.map((u) => u.id));
      throw unknownUsers(ids.filter((userId) => !found.has(userId)));
    }
    return users;
  }
}
