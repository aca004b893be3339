import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { AuthzService } from '../authz/authz.service';
import { isUniqueViolation } from '../common/errors/database-errors';
import { ProblemException } from '../common/errors/problem.exception';
import { decodeCursor } from '../common/pagination/cursor';
import { Page, pageLimit, toPage } from '../common/pagination/page';
import type { RequestContext } from '../common/request-context';
import { TransactionRunner } from '../database/transaction-runner';
import { GroupsRepository } from '../groups/groups.repository';
import { PasswordHasher } from '../passwords/password-hasher.service';
import { PasswordPolicy } from '../passwords/password-policy.service';
import { RoleAssignmentsRepository } from '../roles/role-assignments.repository';
import { SessionsRepository } from '../sessions/sessions.repository';
import { CreateUserDto } from './dto/create-user.dto';
import { ListUsersQueryDto, UserFilters } from './dto/list-users-query.dto';
import { ResetPasswordDto } from './dto/password.dto';
import { DirectorySummaryDto, toUserResponse, UserResponseDto } from './dto/user-response.dto';
import { UpdateUserDto } from './dto/update-user.dto';
import { UserEntity } from './entities/user.entity';
import { newUser } from './new-user';
import { searchText } from './username';
import { UserChanges, UserRow, userPosition, UsersRepository } from './users.repository';

const PROFILE_FIELDS = ['fullName', 'email', 'phone', 'department'] as const;

export interface VersionedUser {
  user: UserResponseDto;
  version: number;
}

/** The Users application: create, edit, enable/disable, delete, search, passwords. */
@Injectable()
export class UsersService {
  constructor(
    private readonly users: UsersRepository,
    private readonly groups: GroupsRepository,
    private readonly transactions: TransactionRunner,
    private readonly hasher: PasswordHasher,
    private readonly policy: PasswordPolicy,
    private readonly sessions: SessionsRepository,
    private readonly assignments: RoleAssignmentsRepository,
    private readonly authz: AuthzService,
    private readonly audit: AuditService,
  ) {}

  async list(query: ListUsersQueryDto): Promise<Page<UserResponseDto>> {
    const sort = query.sort ?? 'username';
    const limit = pageLimit(query.limit);
    const position = query.cursor ? decodeCursor(query.cursor, 2) : undefined;
    const rows = await this.users.page(query, sort, limit, position);
    return toPage(
      rows,
      limit,
      (row) => userPosition(row.user, sort),
      (row) => toUserResponse(row.user, row.lockedUntil),
    );
  }

  count(filters: UserFilters): Promise<number> {
    return this.users.count(filters);
  }

  async directorySummary(): Promise<DirectorySummaryDto> {
    const [users, groups] = await Promise.all([this.users.countByType(), this.groups.countByType()]);
    return {
      internalUsers: users.internal,
      externalUsers: users.external,
      internalGroups: groups.internal,
      externalGroups: groups.external,
    };
  }

  async get(id: string): Promise<VersionedUser> {
    return this.versioned(await this.require(id));
  }

  async create(dto: CreateUserDto, context: RequestContext): Promise<VersionedUser> {
    this.policy.assertAcceptable(dto.password, dto.username, 'password');
    const passwordHash = await this.hasher.hash(dto.password);
    const user = newUser({
      username: dto.username,
      passwordHash,
      fullName: dto.fullName,
      email: dto.email,
      phone: dto.phone,
      department: dto.department,
      enabled: dto.enabled,
      mustChangePassword: dto.mustChangePassword,
    });
    try {
      await this.transactions.run(async (manager) => {
        await this.users.insert(manager, user);
        await this.audit.record(manager, context, {
          action: 'user.create',
          targetType: 'user',
          targetId: user.id,
          details: { username: user.username, enabled: user.enabled },
        });
      });
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw ProblemException.conflict('username_taken', `The username '${dto.username}' is already taken.`);
      }
      throw error;
    }
    return { user: toUserResponse(user), version: user.version };
  }

  /** Applies a PATCH; `ifMatch` is the version the client last saw (412 when it is stale). */
  async update(
    id: string,
    dto: UpdateUserDto,
    ifMatch: number | undefined,
    context: RequestContext,
  ): Promise<VersionedUser> {
    return this.transactions.run(async (manager) => {
      const { user } = await this.require(id, manager);
      const profileChanged = PROFILE_FIELDS.filter((field) => dto[field] !== undefined);
      if (user.type === 'external' && profileChanged.length) {
        throw ProblemException.conflict(
          'read_only_external',
          'The profile of an external user comes from its directory; synchronise it or convert the user.',
        );
      }
      const changes: UserChanges = {};
      for (const field of profileChanged) {
        changes[field] = dto[field] ?? null;
      }
      if (dto.enabled !== undefined) {
        changes.enabled = dto.enabled;
      }
      const merged = { ...user, ...changes };
      changes.searchText = searchText(merged);
      if (dto.enabled === false) {
        await this.authz.lockAdministration(manager);
      }
      if (!(await this.users.update(manager, id, changes, ifMatch))) {
        throw new ProblemException(412, 'precondition_failed', 'The user was changed since you read it (If-Match).');
      }
      if (dto.enabled === false && user.enabled) {
        await this.authz.assertAdministratorRemains(manager);
      }
      await this.audit.record(manager, context, {
        action: 'user.update',
        targetType: 'user',
        targetId: id,
        details: { fields: [...profileChanged, ...(dto.enabled !== undefined ? ['enabled'] : [])] },
      });
      return this.versioned(await this.require(id, manager));
    });
  }

  /** Enables or disables login; idempotent. Disabling ends the user's tokens on the next request. */
  async setEnabled(id: string, enabled: boolean, context: RequestContext): Promise<VersionedUser> {
    return this.transactions.run(async (manager) => {
      const { user } = await this.require(id, manager);
      if (user.enabled !== enabled) {
        if (!enabled) {
          await this.authz.lockAdministration(manager);
        }
        await this.users.update(manager, id, { enabled });
        if (!enabled) {
          await this.authz.assertAdministratorRemains(manager);
        }
        await this.audit.record(manager, context, {
          action: enabled ? 'user.enable' : 'user.disable',
          targetType: 'user',
          targetId: id,
        });
      }
      return this.versioned(await this.require(id, manager));
    });
  }

  /** Deletes the user with their memberships, role assignments and sessions; the username becomes free. */
  async delete(id: string, context: RequestContext): Promise<void> {
    await this.transactions.run(async (manager) => {
      // Lock first, then read: a concurrent delete of the same user is seen as gone (404), not deleted twice (204).
      await this.authz.lockAdministration(manager);
      const { user } = await this.require(id, manager);
      await this.assignments.deleteForPrincipal(manager, { type: 'user', id });
      await this.groups.removeFromAllGroups(manager, id);
      await this.users.delete(manager, id);
      await this.authz.assertAdministratorRemains(manager);
      await this.audit.record(manager, context, {
        action: 'user.delete',
        targetType: 'user',
        targetId: id,
        details: { username: user.username },
      });
    });
  }

  /** An administrator sets a new password; every session of the user ends. */
  async resetPassword(id: string, dto: ResetPasswordDto, context: RequestContext): Promise<void> {
    const { user } = await this.require(id);
    if (user.type === 'external') {
      throw ProblemException.conflict('read_only_external', 'An external user authenticates against its directory.');
    }
    this.policy.assertAcceptable(dto.newPassword, user.username, 'newPassword');
    const passwordHash = await this.hasher.hash(dto.newPassword);
    await this.transactions.run(async (manager) => {
      await this.require(id, manager);
      await this.users.update(manager, id, { passwordHash, mustChangePassword: dto.mustChangePassword ?? false });
      await this.sessions.revokeAllForUser(manager, id);
      await this.audit.record(manager, context, { action: 'user.password.reset', targetType: 'user', targetId: id });
    });
  }

  /**
   * A user changes their own password: the current one must be right and the new one must differ from it.
   * Every session ends, the current one included; the caller opens a new one in `manager`.
   */
  async changeOwnPassword(
    id: string,
    currentPassword: string,
    newPassword: string,
    context: RequestContext,
    afterChange: (manager: EntityManager, user: UserEntity) => Promise<void>,
  ): Promise<void> {
    const user = await this.users.findWithPasswordHash(id);
    if (!user?.passwordHash) {
      throw ProblemException.conflict('read_only_external', 'An external user changes the password in its directory.');
    }
    if (!(await this.hasher.verify(user.passwordHash, currentPassword))) {
      throw ProblemException.badRequest('invalid_current_password', 'The current password is not correct.', [
        { field: 'currentPassword', message: 'is not correct' },
      ]);
    }
    this.policy.assertAcceptable(newPassword, user.username, 'newPassword');
    if (await this.hasher.verify(user.passwordHash, newPassword)) {
      throw ProblemException.validation([{ field: 'newPassword', message: 'must differ from the current password' }]);
    }
    const passwordHash = await this.hasher.hash(newPassword);
    await this.transactions.run(async (manager) => {
      await this.users.update(manager, id, { passwordHash, mustChangePassword: false });
      await this.sessions.revokeAllForUser(manager, id);
      await this.audit.record(manager, context, { action: 'user.password.change', targetType: 'user', targetId: id });
      await afterChange(manager, { ...user, passwordHash, mustChangePassword: false });
    });
  }

  /** Self-service profile change (internal users only). */
  async updateOwnProfile(
    id: string,
    dto: Pick<UpdateUserDto, (typeof PROFILE_FIELDS)[number]>,
    context: RequestContext,
  ): Promise<VersionedUser> {
    return this.update(id, dto, undefined, context);
  }

  private async require(id: string, manager?: EntityManager): Promise<UserRow> {
    const row = await this.users.findById(id, manager);
    if (!row) {
      throw ProblemException.notFound('user');
    }
    return row;
  }

  private versioned(row: UserRow): VersionedUser {
    return { user: toUserResponse(row.user, row.lockedUntil), version: row.user.version };
  }
}
