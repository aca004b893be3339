import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 200;

/** Keyset paging parameters shared by every list. */
export class PageQueryDto {
  /**
   * How many items to return (1..200).
   * @example 50
   */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE_SIZE)
  limit?: number;

  /** The `nextCursor` of the previous page; omit for the first page. */
  @IsOptional()
  @IsString()
  @MaxLength(2048)
  cursor?: string;
}
