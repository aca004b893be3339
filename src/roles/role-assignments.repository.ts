import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { EntityManager } from 'typeorm';
import { RoleAssignmentEntity, PrincipalType } from './entities/role-assignment.entity';
import { GLOBAL_SCOPE } from './permissions';

@Injectable()
export class RoleAssignmentsRepository {
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
  }

  /** Removes every assignment held by a user or group (it is being deleted). */
  async deleteForPrincipal(manager: EntityManager, principal: { type: PrincipalType; id: string }): Promise<void> {
    await manager.delete(RoleAssignmentEntity, { principalType: principal.type, principalId: principal.id });
  }
}
