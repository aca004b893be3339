import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { AuthzService } from '../authz/authz.service';
import { isForeignKeyViolation, isUniqueViolation } from '../common/errors/database-errors';
import { ProblemException } from '../common/errors/problem.exception';
import { decodeCursor } from '../common/pagination/cursor';
import { Page, pageLimit, toPage } from '../common/pagination/page';
import { PageQueryDto } from '../common/pagination/page-query.dto';
import type { RequestContext } from '../common/request-context';
import { TransactionRunner } from '../database/transaction-runner';
import { AssignmentDto, CopyAssignmentsDto, CopyResultDto, CreateAssignmentDto } from './dto/assignment.dto';
import { AssignmentRow, Principal, RoleAssignmentsRepository } from './role-assignments.repository';
import { RolesRepository } from './roles.repository';
import { canonicalResources, isGlobalOnlyRole, scopeKeyOf } from './scope';

export function toAssignmentResponse(row: AssignmentRow): AssignmentDto {
  return { id: row.id, roleId: row.roleId, roleName: row.roleName, principal: row.principal, resources: row.resources };
}

function assignmentExists(): ProblemException {
  return ProblemException.conflict('assignment_exists', 'This role is already assigned with this scope.');
}

@Injectable()
export class RoleAssignmentsService {
  constructor(
    private readonly assignments: RoleAssignmentsRepository,
    private readonly roles: RolesRepository,
    private readonly transactions: TransactionRunner,
    private readonly audit: AuditService,
    private readonly authz: AuthzService,
  ) {}

  async list(principal: Principal, query: PageQueryDto): Promise<Page<AssignmentDto>> {
    await this.assertPrincipal(principal);
    const limit = pageLimit(query.limit);
    const position = query.cursor ? decodeCursor(query.cursor, 1) : undefined;
    const rows = await this.assignments.pageOfPrincipal(principal, limit, position);
    return toPage(rows, limit, (r) => [r.id], toAssignmentResponse);
  }

  async create(context: RequestContext, principal: Principal, dto: CreateAssignmentDto): Promise<AssignmentDto> {
    const resources = canonicalResources(dto.resources);
    try {
      return await this.transactions.run(async (manager) => {
        // Deleting a user or group takes this lock too: without it an assignment inserted while its principal was
        // being deleted outlived it (an orphan row, found by the concurrency suite on MariaDB).
        await this.authz.lockAdministration(manager);
        await this.assertPrincipal(principal, manager);
        const role = await this.roles.findById(dto.roleId, manager);
        if (!role) {
          throw ProblemException.notFound('role');
        }
        if (resources && isGlobalOnlyRole(role.permissions.map((p) => p.permission))) {
          throw ProblemException.badRequest(
            'global_only_role',
            `The role ${role.name} has only global permissions; it cannot be limited to resources.`,
            [{ field: 'resources', message: 'must be omitted for a role whose permissions are all global' }],
          );
        }
        const id = await this.assignments.insert(manager, principal, role.id, resources);
        await this.audit.record(manager, context, {
          action: 'role_assignment.created',
          targetType: principal.type,
          targetId: principal.id,
          details: { assignmentId: id, roleId: role.id, roleName: role.name, resources },
        });
        return { id, roleId: role.id, roleName: role.name, principal, resources };
      });
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw assignmentExists();
      }
      if (isForeignKeyViolation(error)) {
        throw ProblemException.notFound('role');
      }
      throw error;
    }
  }

  async remove(context: RequestContext, principal: Principal, assignmentId: string): Promise<void> {
    await this.transactions.run(async (manager) => {
      await this.authz.lockAdministration(manager);
      const assignment = await this.assignments.findOfPrincipal(manager, principal, assignmentId);
      if (!assignment) {
        throw ProblemException.notFound('role assignment');
      }
      await this.assignments.deleteById(manager, assignmentId);
      await this.authz.assertAdministratorRemains(manager);
      await this.audit.record(manager, context, {
        action: 'role_assignment.deleted',
        targetType: principal.type,
        targetId: principal.id,
        details: {
          assignmentId,
          roleId: assignment.roleId,
          roleName: assignment.roleName,
          resources: assignment.resources,
        },
      });
    });
  }

  /**
   * Copies the source's assignments to every target in one transaction. `merge` keeps what a target has and skips
   * assignments it already holds (same role and scope); `replace` first removes the target's own assignments.
   */
  async copy(context: RequestContext, dto: CopyAssignmentsDto): Promise<CopyResultDto> {
    const mode = dto.mode ?? 'merge';
    const source = dto.source;
    const targets = dedupe(dto.targets).filter((t) => !(t.type === source.type && t.id === source.id));
    return this.transactions.run(async (manager) => {
      if (mode === 'replace') {
        await this.authz.lockAdministration(manager);
      }
      for (const principal of [source, ...targets]) {
        await this.assertPrincipal(principal, manager);
      }
      const assignments = await this.assignments.allOfPrincipal(manager, source);
      let copied = 0;
      let skipped = 0;
      for (const target of targets) {
        const removed = mode === 'replace' ? await this.assignments.deleteForPrincipal(manager, target) : 0;
        const held = new Set(
          (await this.assignments.allOfPrincipal(manager, target)).map((a) => `${a.roleId} ${a.scopeKey}`),
        );
        let copiedHere = 0;
        for (const assignment of assignments) {
          if (held.has(`${assignment.roleId} ${scopeKeyOf(assignment.resources)}`)) {
            skipped++;
            continue;
          }
          await this.assignments.insert(manager, target, assignment.roleId, assignment.resources);
          copiedHere++;
        }
        copied += copiedHere;
        await this.audit.record(manager, context, {
          action: 'role_assignments.copied',
          targetType: target.type,
          targetId: target.id,
          details: { sourceType: source.type, sourceId: source.id, mode, copied: copiedHere, removed },
        });
      }
      if (mode === 'replace') {
        await this.authz.assertAdministratorRemains(manager);
      }
      return { copied, skipped };
    });
  }

  private async assertPrincipal(principal: Principal, manager?: EntityManager): Promise<void> {
    if (!(await this.assignments.principalExists(principal, manager))) {
      throw ProblemException.notFound(principal.type);
    }
  }
}

function dedupe(principals: readonly Principal[]): Principal[] {
  const seen = new Map<string, Principal>();
  for (const p of principals) {
    seen.set(`${p.type} ${p.id}`, { type: p.type, id: p.id });
  }
  return [...seen.values()];
}
