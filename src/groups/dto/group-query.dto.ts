import { ApiPropertyOptional, IntersectionType } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { PageQueryDto } from '../../common/pagination/page-query.dto';
import type { GroupType } from '../entities/group.entity';

/** Filters shared by the group list and its count. */
export class GroupFilterDto {
  /** Case-insensitive substring of the name. @example "model" */
  @IsOptional()
  @IsString()
  @MaxLength(100)
  search?: string;

  @ApiPropertyOptional({ enum: ['internal', 'external'] })
  @IsOptional()
  @IsIn(['internal', 'external'])
  type?: GroupType;
}

export type GroupSort = 'name' | '-name';

export class GroupListQueryDto extends IntersectionType(PageQueryDto, GroupFilterDto) {
  @ApiPropertyOptional({ enum: ['name', '-name'], default: 'name' })
  @IsOptional()
  @IsIn(['name', '-name'])
  sort?: GroupSort;
}
