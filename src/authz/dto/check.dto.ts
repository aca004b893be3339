import { ApiProperty } from '@nestjs/swagger';
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
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { PERMISSION_KEYS } from '../../roles/scope';

export const MAX_CHECKS = 100;

/** One question: may this user do this, globally or on this resource? */
export class PermissionCheckDto {
  /** @example "5f0c6f8e-3c1b-4c52-9d8e-2f4b8a6c1d2e" */
  @IsUUID('all')
  userId!: string;

  /** A key of the permission catalogue. @example "resources.edit" */
  @IsIn(PERMISSION_KEYS, { message: 'permission must be a permission key' })
  permission!: string;

  /** The resource; omit to ask whether the user holds the permission globally. @example "project:42" */
  @IsOptional()
  @IsString()
  @Length(1, 255)
  resource?: string;
}

/** Either one check (`userId`, `permission`, `resource?`) or a batch (`checks`), not both. */
export class AuthzCheckRequestDto {
  /** @example "5f0c6f8e-3c1b-4c52-9d8e-2f4b8a6c1d2e" */
  @ValidateIf((o: AuthzCheckRequestDto) => o.checks === undefined || o.userId !== undefined)
  @IsUUID('all')
  userId?: string;

  /** @example "resources.edit" */
  @ValidateIf((o: AuthzCheckRequestDto) => o.checks === undefined || o.permission !== undefined)
  @IsIn(PERMISSION_KEYS, { message: 'permission must be a permission key' })
  permission?: string;

  /** @example "project:42" */
  @IsOptional()
  @IsString()
  @Length(1, 255)
  resource?: string;

  /** Up to 100 checks answered in order. */
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_CHECKS)
  @IsObject({ each: true })
  @ValidateNested({ each: true })
  @Type(() => PermissionCheckDto)
  checks?: PermissionCheckDto[];
}

/** The answer to one check. */
export class CheckResultDto {
  /** @example true */
  allowed!: boolean;
}

export class BatchCheckItemDto {
  /** @example "5f0c6f8e-3c1b-4c52-9d8e-2f4b8a6c1d2e" */
  userId!: string;
  /** @example "resources.edit" */
  permission!: string;
  /** null when the check named no resource. @example "project:42" */
  @ApiProperty({ type: String, nullable: true, example: 'project:42' })
  resource!: string | null;
  /** @example false */
  allowed!: boolean;
}

/** The answers to a batch, in the order asked. */
export class BatchCheckResultDto {
  results!: BatchCheckItemDto[];
}
