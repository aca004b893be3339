import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import type { CursorValue } from './cursor';

/**
 * Continues an ordered query after `position` on (column, tie-breaker), in a form both MySQL and SQLite can serve
 * from an index range: `a >= :a AND (a > :a OR id > :id)`, mirrored for descending order. NULLs sort first.
 */
export function applyKeyset<T extends ObjectLiteral>(
  qb: SelectQueryBuilder<T>,
  column: string,
  tieBreaker: string,
  direction: 'ASC' | 'DESC',
  position: CursorValue[] | undefined,
): SelectQueryBuilder<T> {
  qb.orderBy(column, direction).addOrderBy(tieBreaker, direction);
  if (!position) {
    return qb;
  }
  const [value, id] = position;
  const after = direction === 'ASC' ? '>' : '<';
  if (value === null) {
    // NULLs come first ascending (and last descending) on both databases.
    return direction === 'ASC'
      ? qb.andWhere(`((${column} IS NULL AND ${tieBreaker} > :ksId) OR ${column} IS NOT NULL)`, { ksId: id })
      : qb.andWhere(`${column} IS NULL AND ${tieBreaker} < :ksId`, {
          ksId: id,
        });
  }
  const nullsAfter = direction === 'DESC' ? ` OR ${column} IS NULL` : '';
  return qb.andWhere(
    `((${column} ${after}= :ksValue AND (${column} ${after} :ksValue OR ${tieBreaker} ${after} :ksId))${nullsAfter})`,
    { ksValue: value, ksId: id },
  );
}
