import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/audit.module';
import { AuthzModule } from '../authz/authz.module';
import { AssignmentResourceEntity } from './entities/assignment-resource.entity';
import { RoleAssignmentEntity } from './entities/role-assignment.entity';
import { RolePermissionEntity } from './entities/role-permission.entity';
import { RoleEntity } from './entities/role.entity';
import { PermissionsController } from './permissions.controller';
import {
  GroupRoleAssignmentsController,
  RoleAssignmentsCopyController,
  UserRoleAssignmentsController,
} from './role-assignments.controller';
import { RoleAssignmentsRepository } from './role-assignments.repository';
import { RoleAssignmentsService } from './role-assignments.service';
import { RolesController } from './roles.controller';
import { RolesRepository } from './roles.repository';
import { RolesService } from './roles.service';

@Module({
  imports: [
    TypeOrmModule.forFeature([RoleEntity, RolePermissionEntity, RoleAssignmentEntity, AssignmentResourceEntity]),
    AuditModule,
    AuthzModule,
  ],
  controllers: [
    PermissionsController,
    RolesController,
    UserRoleAssignmentsController,
    GroupRoleAssignmentsController,
    RoleAssignmentsCopyController,
  ],
  providers: [RoleAssignmentsRepository, RolesRepository, RolesService, RoleAssignmentsService],
  exports: [RoleAssignmentsRepository],
})
export class RolesModule {}
