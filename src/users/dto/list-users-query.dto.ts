import { ApiPropertyOptional, OmitType } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
import { PageQueryDto } from '../../common/pagination/page-query.dto';
import type { UserType } from '../entities/user.entity';

export const USER_SORTS = [
  'username',
  '-username',
  'lastActivityAt',
  '-lastActivityAt',
  'createdAt',
  '-createdAt',
] as const;
export type UserSort = (typeof USER_SORTS)[number];

const toBoolean = ({ value }: { value: unknown }): unknown =>
  value === 'true' ? true : value === 'false' ? false : value;

export class ListUsersQueryDto extends PageQueryDto {
  /** Case-insensitive substring of the username, full name or email. @example "garc" */
  @IsOptional()
  @IsString()
  @MaxLength(100)
  search?: string;

  /**
   * Case-insensitive prefix of the username (a whole username finds that user and any longer ones). Served from the
   * username index, so it stays fast on any number of users, unlike the substring `search`. @example "garc"
   */
  @IsOptional()
  @IsString()
  @MaxLength(100)
  usernamePrefix?: string;

  @ApiPropertyOptional({ enum: ['internal', 'external'] })
  @IsOptional()
  @IsIn(['internal', 'external'])
  type?: UserType;

  /** Only enabled (`true`) or disabled (`false`) users. */
  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean()
  enabled?: boolean;

  /** Only members of this group. */
  @IsOptional()
  @IsUUID()
  groupId?: string;

  @ApiPropertyOptional({ enum: USER_SORTS, default: 'username' })
  @IsOptional()
  @IsIn(USER_SORTS)
  sort?: UserSort;
}

export class CountUsersQueryDto extends OmitType(ListUsersQueryDto, ['limit', 'cursor', 'sort'] as const) {}

export type UserFilters = Omit<CountUsersQueryDto, never>;
