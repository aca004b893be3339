import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsIn, IsOptional, IsString, IsUUID, MaxLength, ValidateNested } from 'class-validator';

export class PrincipalRefDto {
  @ApiProperty({ enum: ['user', 'group'] })
  @IsIn(['user', 'group'])
  type!: 'user' | 'group';

  /** @example "5f0c6f8e-3c1b-4c52-9d8e-2f4b8a6c1d2e" */
  @IsUUID()
  id!: string;
}

export class ImportDto {
  /** DNs of user entries (with `groups`, at most 1000 entries). @example ["uid=jose,ou=people,dc=example,dc=com"] */
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(1000)
  @IsString({ each: true })
  @MaxLength(500, { each: true })
  users?: string[];

  /** DNs of group entries; their members are imported too. @example ["cn=engineers,ou=groups,dc=example,dc=com"] */
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(1000)
  @IsString({ each: true })
  @MaxLength(500, { each: true })
  groups?: string[];

  /** Give newly created users and groups the role assignments this user or group holds (needs `permissions.manage`). */
  @IsOptional()
  @ValidateNested()
  @Type(() => PrincipalRefDto)
  copyRolesFrom?: PrincipalRefDto;
}

export type ImportStatus = 'created' | 'updated' | 'failed';

export class ImportResultDto {
  /** @example "uid=jose,ou=people,dc=example,dc=com" */
  dn!: string;
  @ApiProperty({ enum: ['user', 'group'] })
  kind!: 'user' | 'group';
  @ApiProperty({ enum: ['created', 'updated', 'failed'] })
  status!: ImportStatus;
  /** The Roster id of the user or group. */
  id?: string;
  /** Why the entry failed. @example "not found in the directory" */
  error?: string;
}

export class ImportResultsDto {
  results!: ImportResultDto[];
}
