import type { QueryRunner, TableColumnOptions } from 'typeorm';

/**
 * Column builders for migrations, so one migration file creates the same schema on MySQL/MariaDB and SQLite.
 * MySQL gets utf8mb4 explicitly (never the server's default charset) and `utf8mb4_bin` for lookup keys, so
 * uniqueness is decided by our own normalisation and not by a `_ci` collation.
 */
export class ColumnTypes {
  private readonly mysql: boolean;

  constructor(queryRunner: QueryRunner) {
    this.mysql = queryRunner.connection.driver.options.type === 'mysql';
  }

  id(name = 'id'): TableColumnOptions {
    return {
      name,
      type: 'varchar',
      length: '36',
      isPrimary: true,
      ...this.ascii(),
    };
  }

  uuid(name: string, nullable = false): TableColumnOptions {
    return {
      name,
      type: 'varchar',
      length: '36',
      isNullable: nullable,
      ...this.ascii(),
    };
  }

  string(name: string, length: number, nullable = false): TableColumnOptions {
    return {
      name,
      type: 'varchar',
      length: String(length),
      isNullable: nullable,
      ...this.unicode(),
    };
  }

  /** A normalised lookup key compared byte for byte. */
  key(name: string, length: number): TableColumnOptions {
    return {
      name,
      type: 'varchar',
      length: String(length),
      isNullable: false,
      ...this.binary(),
    };
  }

  text(name: string, nullable = true): TableColumnOptions {
    return {
      name,
      type: this.mysql ? 'mediumtext' : 'text',
      isNullable: nullable,
      ...this.unicode(),
    };
  }

  bool(name: string, defaultValue: boolean): TableColumnOptions {
    return {
      name,
      type: 'boolean',
      isNullable: false,
      default: defaultValue ? 1 : 0,
    };
  }

  int(name: string, defaultValue = 0): TableColumnOptions {
    return { name, type: 'int', isNullable: false, default: defaultValue };
  }

  timestamp(name: string, nullable = false): TableColumnOptions {
    return {
      name,
      type: 'datetime',
      precision: this.mysql ? 3 : undefined,
      isNullable: nullable,
    };
  }

  private unicode(): Partial<TableColumnOptions> {
    return this.mysql ? { charset: 'utf8mb4', collation: 'utf8mb4_unicode_ci' } : {};
  }

  private binary(): Partial<TableColumnOptions> {
    return this.mysql ? { charset: 'utf8mb4', collation: 'utf8mb4_bin' } : {};
  }

  private ascii(): Partial<TableColumnOptions> {
    return this.mysql ? { charset: 'ascii', collation: 'ascii_bin' } : {};
  }
}
