import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AssignmentResourceEntity } from './entities/assignment-resource.entity';
import { RoleAssignmentEntity } from './entities/role-assignment.entity';
import { RolePermissionEntity } from './entities/role-permission.entity';
import { RoleEntity } from './entities/role.entity';
import { PermissionsController } from './permissions.controller';
import { RoleAssignmentsRepository } from './role-assignments.repository';

@Module({
  imports: [
    TypeOrmModule.forFeature([RoleEntity, RolePermissionEntity, RoleAssignmentEntity, AssignmentResourceEntity]),
  ],
  controllers: [PermissionsController],
  providers: [RoleAssignmentsRepository],
  exports: [RoleAssignmentsRepository],
})
export class RolesModule {}
