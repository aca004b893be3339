import { ObjectLiteral, SelectQueryBuilder } from 'typeorm';

/**
 * Makes a SELECT a locking read (`FOR UPDATE`) on MySQL/MariaDB: it reads the latest committed rows, not the
 * transaction's snapshot, and holds them until commit. SQLite needs none: its transactions run one at a time.
 */
export function forUpdate<T extends ObjectLiteral>(qb: SelectQueryBuilder<T>): SelectQueryBuilder<T> {
  return qb.connection.options.type === 'mysql' ? qb.setLock('pessimistic_write') : qb;
}
