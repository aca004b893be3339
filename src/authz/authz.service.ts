import { Injectable } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { EntityManager } from 'typeorm';
import { ProblemException } from '../common/errors/problem.exception';
import { GLOBAL_SCOPE } from '../roles/permissions';
import { isGlobalOnlyPermission } from '../roles/scope';
import { AuthzRepository } from './authz.repository';
import { accessSize, allows, UserAccess } from './user-access';

/** Where a permission comes from: a role assigned to the user directly, or to one of their groups. */
export interface PermissionSource {
  roleId: string;
  groupId?: string;
}

export interface EffectivePermission {
  permission: string;
  /** `global`, or the one resource it is granted on. */
  scope: string;
  via: PermissionSource[];
}

export interface PermissionCheck {
  userId: string;
  permission: string;
  resource?: string | null;
}

export const GLOBAL = 'global';

/** How many grants the replica keeps in memory, over all users (a few dozen bytes each). */
const CACHED_GRANTS = 100_000;

/**
 * Answers "what may this user do". Rule for global-only permissions (catalogue scope `global`, e.g. `users.edit`):
 * they are granted only by global assignments. A resource-scoped assignment of a mixed role grants only its
 * resource permissions on its resources; its global-only permissions grant nothing (a role that has nothing but
 * global-only permissions cannot be assigned with resources at all).
 */
@Injectable()
export class AuthzService {
  /**
   * `UserAccess` by epoch and user: entries of older epochs are never asked for again and age out. Concurrent
   * misses for one user share one fetch; unknown users are not kept.
   */
  private readonly cache = new LRUCache<string, UserAccess, string>({
    maxSize: CACHED_GRANTS,
    sizeCalculation: accessSize,
    fetchMethod: async (_key, _stale, { context }) => (await this.authz.access(context)) ?? undefined,
  });

  constructor(private readonly authz: AuthzRepository) {}

  /** The user's global permissions as of `epoch` (the one read with the request's session); empty for nobody. */
  async globalPermissions(userId: string, epoch: number): Promise<ReadonlySet<string>> {
    return (await this.access(userId, epoch))?.global ?? new Set();
  }

  /** Whether the user exists and is enabled (null: no such user). */
  userEnabled(userId: string): Promise<boolean | null> {
    return this.authz.userEnabled(userId);
  }

  /**
   * May the user do this (on this resource), as of `epoch`? Answered from memory while nothing changed; from one
   * indexed query for a user with too many scoped grants to keep. Unknown and disabled users never may; without a
   * resource only global assignments count; a resource-scoped assignment grants only on its resources.
   */
  async isAllowed(check: PermissionCheck, epoch: number): Promise<boolean> {
    const access = await this.access(check.userId, epoch);
    if (!access) {
      return false;
    }
    return (
      allows(access, check.permission, check.resource) ??
      this.authz.isAllowed(
        check.userId,
        check.permission,
        check.resource ?? null,
        isGlobalOnlyPermission(check.permission),
      )
    );
  }

  private async access(userId: string, epoch: number): Promise<UserAccess | null> {
    return (await this.cache.fetch(`${epoch}:${userId}`, { context: userId })) ?? null;
  }

  /**
   * The user's permissions, direct and through every group, each with its scope and where it comes from (two
   * queries). With `resource`, only what applies to it: global grants and grants on that resource. Reports what is
   * assigned whether or not the user is enabled.
   */
  async effectivePermissions(userId: string, resource?: string): Promise<EffectivePermission[]> {
    const grants = await this.authz.grants(userId);
    const scoped = grants.filter((g) => g.scopeKey !== GLOBAL_SCOPE && !isGlobalOnlyPermission(g.permission));
    const resourcesByAssignment = new Map<string, string[]>();
    for (const row of await this.authz.resources([...new Set(scoped.map((g) => g.assignmentId))], resource)) {
      resourcesByAssignment.set(row.assignmentId, [
        ...(resourcesByAssignment.get(row.assignmentId) ?? []),
        row.resource,
      ]);
    }
    const byKey = new Map<string, EffectivePermission>();
    const add = (permission: string, scope: string, source: PermissionSource): void => {
      const key = `${permission}\n${scope}`;
      const entry = byKey.get(key) ?? { permission, scope, via: [] };
      byKey.set(key, entry);
      if (!entry.via.some((v) => v.roleId === source.roleId && v.groupId === source.groupId)) {
        entry.via.push(source);
      }
    };
    for (const grant of grants) {
      const source: PermissionSource = grant.groupId
        ? { roleId: grant.roleId, groupId: grant.groupId }
        : { roleId: grant.roleId };
      if (grant.scopeKey === GLOBAL_SCOPE) {
        add(grant.permission, GLOBAL, source);
      } else if (!isGlobalOnlyPermission(grant.permission)) {
        for (const scope of resourcesByAssignment.get(grant.assignmentId) ?? []) {
          add(grant.permission, scope, source);
        }
      }
    }
    const order = (scope: string): string => (scope === GLOBAL ? '' : scope);
    return [...byKey.values()].sort(
      (a, b) => a.permission.localeCompare(b.permission) || order(a.scope).localeCompare(order(b.scope)),
    );
  }

  /**
   * Guards every change that could lock everyone out: call `lockAdministration` first in the transaction,
   * make the change, then this; it throws 409 `last_administrator` (rolling the change back) if no enabled
   * user could still manage users and grant roles.
   */
  async assertAdministratorRemains(manager: EntityManager): Promise<void> {
    if (!(await this.authz.hasAdministrator(manager))) {
      throw ProblemException.conflict(
        'last_administrator',
        'This change would leave no enabled user who can manage users and roles.',
      );
    }
  }

  lockAdministration(manager: EntityManager): Promise<void> {
    return this.authz.lockAdministration(manager);
  }
}
