import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Length } from 'class-validator';

export class EffectivePermissionsQueryDto {
  /** Only what applies to this resource: global grants and grants on it. @example "project:42" */
  @IsOptional()
  @IsString()
  @Length(1, 255)
  resource?: string;
}

/** A role that grants the permission, directly or through a group. */
export class PermissionSourceDto {
  /** @example "00000000-0000-4000-8000-000000000006" */
  roleId!: string;
  /** The group the role is assigned to; absent when assigned to the user directly. */
  @ApiPropertyOptional({ example: '0b6f2a8e-6f0e-4c7a-9b1d-3a2c5e7f9d10' })
  groupId?: string;
}

export class EffectivePermissionDto {
  /** @example "resources.edit" */
  permission!: string;
  /** `global`, or the resource the permission is granted on. @example "project:42" */
  scope!: string;
  via!: PermissionSourceDto[];
}

/** Everything a user may do, direct and inherited, with where each permission comes from. */
export class EffectivePermissionsDto {
  permissions!: EffectivePermissionDto[];
}
