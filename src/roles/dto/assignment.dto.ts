import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsObject,
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
  ValidateNested,
} from 'class-validator';
import type { PrincipalType } from '../entities/role-assignment.entity';

export const MAX_RESOURCES_PER_ASSIGNMENT = 100;
export const MAX_COPY_TARGETS = 100;

/** A user or group that holds roles. */
export class PrincipalDto {
  @ApiProperty({ enum: ['user', 'group'], example: 'user' })
  @IsIn(['user', 'group'])
  type!: PrincipalType;

  /** @example "5f0c6f8e-3c1b-4c52-9d8e-2f4b8a6c1d2e" */
  @IsUUID('all')
  id!: string;
}

/** A role given to a user or group, globally or on resources. */
export class AssignmentDto {
  /** @example "9d1c7b52-0f6e-4d0a-8a4f-1b2c3d4e5f60" */
  id!: string;
  /** @example "00000000-0000-4000-8000-000000000006" */
  roleId!: string;
  /** @example "Resource Contributor" */
  roleName!: string;
  principal!: PrincipalDto;
  /** The resources the assignment is limited to; null when it is global. @example ["project:42"] */
  @ApiProperty({ type: String, isArray: true, nullable: true, example: ['project:42'] })
  resources!: string[] | null;
}

export class CreateAssignmentDto {
  /** @example "00000000-0000-4000-8000-000000000006" */
  @IsUUID('all')
  roleId!: string;

  /**
   * Opaque ids of other services' objects (1..100 of them, each 1..255 characters, no control characters). Omit
   * (or null) for a global assignment; a role whose permissions are all global cannot take resources.
   * @example ["project:42"]
   */
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_RESOURCES_PER_ASSIGNMENT)
  @IsString({ each: true })
  @Length(1, 255, { each: true })
  @Matches(/^[^\p{Cc}]*$/u, { each: true, message: 'each value in resources must not contain control characters' })
  resources?: string[] | null;
}

export class CopyAssignmentsDto {
  /** Whose assignments to copy. */
  // @IsObject: @ValidateNested alone let a missing source (and `[[]]` as targets) through to a 500.
  @IsObject()
  @ValidateNested()
  @Type(() => PrincipalDto)
  source!: PrincipalDto;

  /** Who receives them (1..100 users or groups). */
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_COPY_TARGETS)
  @IsObject({ each: true })
  @ValidateNested({ each: true })
  @Type(() => PrincipalDto)
  targets!: PrincipalDto[];

  /** `merge` adds to the targets' assignments; `replace` removes theirs first. */
  @ApiPropertyOptional({ enum: ['merge', 'replace'], default: 'merge', example: 'merge' })
  @IsOptional()
  @IsIn(['merge', 'replace'])
  mode?: 'merge' | 'replace';
}

export class CopyResultDto {
  /** Assignments created on the targets. @example 3 */
  copied!: number;
  /** Assignments a target already had (same role and scope). @example 1 */
  skipped!: number;
}

/** A user or group holding a role, with the scope of that assignment. */
export class RoleHolderDto {
  /** @example "9d1c7b52-0f6e-4d0a-8a4f-1b2c3d4e5f60" */
  assignmentId!: string;
  principal!: PrincipalDto;
  /** The username or group name. @example "alice" */
  name!: string;
  /** null when global. @example null */
  @ApiProperty({ type: String, isArray: true, nullable: true, example: null })
  resources!: string[] | null;
}
