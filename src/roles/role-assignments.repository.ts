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
}
