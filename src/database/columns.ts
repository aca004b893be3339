import { Column, ColumnOptions } from 'typeorm';

/** A UTC timestamp column (DATETIME(3) on MySQL, text on SQLite) read as a `Date`. */
export function TimestampColumn(name: string, options: Pick<ColumnOptions, 'nullable'> = {}): PropertyDecorator {
  return Column({ name, type: 'datetime', ...options });
}
