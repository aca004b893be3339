import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { AuditService } from '../audit/audit.service';
import { AuthzService } from '../authz/authz.service';
import { isUniqueViolation } from '../common/errors/database-errors';
import { ProblemException } from '../common/errors/problem.exception';
import { assertIfMatch } from '../common/etag';
import { decodeCursor } from '../common/pagination/cursor';
import { Page, pageLimit, toPage } from '../common/pagination/page';
import { PageQueryDto } from '../common/pagination/page-query.dto';
import type { RequestContext } from '../common/request-context';
import { TransactionRunner } from '../database/transaction-runner';
import { nameKey } from '../users/username';
import { RoleHolderDto } from './dto/assignment.dto';
import { CreateRoleDto } from './dto/create-role.dto';
import { RoleDto } from './dto/role.dto';
import { UpdateRoleDto } from './dto/update-role.dto';
import { RoleEntity } from './entities/role.entity';
import { RoleAssignmentsRepository } from './role-assignments.repository';
import { RolesRepository } from './roles.repository';
import { isGlobalOnlyRole } from './scope';

export function toRoleResponse(role: RoleEntity): RoleDto {
  const permissions = role.permissions.map((p) => p.permission).sort();
  return {
    id: role.id,
    name: role.name,
    description: role.description,
    predefined: Boolean(role.predefined),
    permissions,
    globalOnly: isGlobalOnlyRole(permissions),
    createdAt: role.createdAt.toISOString(),
    updatedAt: role.updatedAt.toISOString(),
  };
}

function roleNameTaken(): ProblemException {
  return ProblemException.conflict('role_name_taken', 'A role with this name already exists.');
}

@Injectable()
export class RolesService {
  constructor(
    private readonly roles: RolesRepository,
    private readonly assignments: RoleAssignmentsRepository,
    private readonly transactions: TransactionRunner,
    private readonly audit: AuditService,
    private readonly authz: AuthzService,
  ) {}

  async list(query: PageQueryDto): Promise<Page<RoleDto>> {
    const limit = pageLimit(query.limit);
    const position = query.cursor ? decodeCursor(query.cursor, 2) : undefined;
    const rows = await this.roles.page(limit, position);
    return toPage(rows, limit, (r) => [r.nameKey, r.id], toRoleResponse);
  }

  async get(id: string): Promise<RoleEntity> {
    const role = await this.roles.findById(id);
    if (!role) {
      throw ProblemException.notFound('role');
    }
    return role;
  }

  async create(context: RequestContext, dto: CreateRoleDto): Promise<RoleEntity> {
    const permissions = [...new Set(dto.permissions)];
    const now = new Date();
    const role: Omit<RoleEntity, 'permissions'> = {
      id: randomUUID(),
      name: dto.name.normalize('NFC'),
      nameKey: nameKey(dto.name),
      description: dto.description ?? null,
      predefined: false,
      createdAt: now,
      updatedAt: now,
      version: 1,
    };
    try {
      await this.transactions.run(async (manager) => {
        if (await this.roles.findByNameKey(manager, role.nameKey)) {
          throw roleNameTaken();
        }
        await this.roles.insert(manager, role, permissions);
        await this.audit.record(manager, context, {
          action: 'role.created',
          targetType: 'role',
          targetId: role.id,
          details: { name: role.name, permissions },
        });
      });
    } catch (error) {
      throw isUniqueViolation(error) ? roleNameTaken() : error;
    }
    return this.get(role.id);
  }

  async update(context: RequestContext, id: string, dto: UpdateRoleDto, ifMatch?: string): Promise<RoleEntity> {
    try {
      await this.transactions.run(async (manager) => {
        const changesPermissions = dto.permissions !== undefined;
        if (changesPermissions) {
          await this.authz.lockAdministration(manager);
        }
        const role = await this.roles.findById(id, manager);
        if (!role) {
          throw ProblemException.notFound('role');
        }
        if (role.predefined) {
          throw ProblemException.conflict('predefined_role', 'Predefined roles cannot be changed.');
        }
        assertIfMatch(ifMatch, role.version);
        const fields: Partial<Pick<RoleEntity, 'name' | 'nameKey' | 'description'>> = {};
        if (dto.name !== undefined) {
          fields.name = dto.name.normalize('NFC');
          fields.nameKey = nameKey(dto.name);
          const holder = await this.roles.findByNameKey(manager, fields.nameKey);
          if (holder && holder.id !== id) {
            throw roleNameTaken();
          }
        }
        if (dto.description !== undefined) {
          fields.description = dto.description;
        }
        const permissions = dto.permissions ? [...new Set(dto.permissions)] : undefined;
        await this.roles.update(manager, id, fields, permissions);
        if (changesPermissions) {
          await this.authz.assertAdministratorRemains(manager);
        }
        await this.audit.record(manager, context, {
          action: 'role.updated',
          targetType: 'role',
          targetId: id,
          details: {
            ...(fields.name !== undefined ? { name: fields.name } : {}),
            ...(dto.description !== undefined ? { descriptionChanged: true } : {}),
            ...(permissions ? { permissions } : {}),
          },
        });
      });
    } catch (error) {
      throw isUniqueViolation(error) ? roleNameTaken() : error;
    }
    return this.get(id);
  }

  async remove(context: RequestContext, id: string): Promise<void> {
    await this.transactions.run(async (manager) => {
      await this.authz.lockAdministration(manager);
      const role = await this.roles.findById(id, manager);
      if (!role) {
        throw ProblemException.notFound('role');
      }
      if (role.predefined) {
        throw ProblemException.conflict('predefined_role', 'Predefined roles cannot be deleted.');
      }
      await this.roles.delete(manager, id);
      await this.authz.assertAdministratorRemains(manager);
      await this.audit.record(manager, context, {
        action: 'role.deleted',
        targetType: 'role',
        targetId: id,
        details: { name: role.name },
      });
    });
  }

  async holders(id: string, query: PageQueryDto): Promise<Page<RoleHolderDto>> {
    await this.get(id);
    const limit = pageLimit(query.limit);
    const position = query.cursor ? decodeCursor(query.cursor, 3) : undefined;
    const rows = await this.assignments.pageHoldersOfRole(id, limit, position);
    return toPage(
      rows,
      limit,
      (r) => [r.principal.type, r.principal.id, r.id],
      (r) => ({ assignmentId: r.id, principal: r.principal, name: r.principalName, resources: r.resources }),
    );
  }
}
