import { Type as NestType } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { DEFAULT_PAGE_SIZE } from './page-query.dto';
import { CursorValue, encodeCursor } from './cursor';

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/**
 * Builds a page from rows fetched with `limit + 1`: the extra row only says whether another page exists.
 */
export function toPage<R, T>(
  rows: R[],
  limit: number,
  position: (row: R) => CursorValue[],
  map: (row: R) => T,
): Page<T> {
  const hasMore = rows.length > limit;
  const items = hasMore ? rows.slice(0, limit) : rows;
  return {
    items: items.map(map),
    nextCursor: hasMore ? encodeCursor(position(items[items.length - 1])) : null,
  };
}

export function pageLimit(limit: number | undefined): number {
  return limit ?? DEFAULT_PAGE_SIZE;
}

const pageDtoCache = new Map<NestType<unknown>, NestType<Page<unknown>>>();

/** A Swagger schema for `{ items: Item[], nextCursor }`, one class per item type. */
export function PageDto<T>(item: NestType<T>): NestType<Page<T>> {
  const cached = pageDtoCache.get(item);
  if (cached) {
    return cached as NestType<Page<T>>;
  }
  class PageOfItems implements Page<T> {
    @ApiProperty({ type: item, isArray: true })
    items!: T[];

    @ApiProperty({
      type: String,
      nullable: true,
      description: 'Pass as `cursor` for the next page; null on the last.',
    })
    nextCursor!: string | null;
  }
  Object.defineProperty(PageOfItems, 'name', {
    value: `${item.name.replace(/Dto$/, '')}PageDto`,
  });
  pageDtoCache.set(item, PageOfItems);
  return PageOfItems;
}
