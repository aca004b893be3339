import { DataSource, EntityTarget, ObjectLiteral } from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';

/**
 * An entity's columns for hand-written statements, with TypeORM's own metadata and type conversions (booleans,
 * timestamps and JSON, on either driver): the select list of a read and the entities it returns, and the INSERT of
 * one entity. For the statements every request makes, run as PreparedStatements: the query builder spent more CPU
 * composing such a statement than the database spent answering it.
 */
export class EntityColumns<T extends ObjectLiteral> {
  /** `alias.column AS alias_property, …`: every column that is selected by default, plus `alsoSelect`. */
  readonly selectList: string;
  /** `INSERT INTO table (every column) VALUES (?, …)`, for `insertValues`. */
  readonly insertSql: string;
  private readonly selected: readonly ColumnMetadata[];
  private readonly all: readonly ColumnMetadata[];

  constructor(
    private readonly dataSource: DataSource,
    private readonly target: EntityTarget<T>,
    private readonly alias: string,
    alsoSelect: readonly (keyof T & string)[] = [],
  ) {
    const metadata = dataSource.getMetadata(target);
    this.all = metadata.columns;
    this.selected = this.all.filter(
      (column) => column.isSelect || alsoSelect.includes(column.propertyName as keyof T & string),
    );
    this.selectList = this.selected
      .map((column) => `${alias}.${column.databaseName} AS ${this.key(column)}`)
      .join(', ');
    this.insertSql = `INSERT INTO ${metadata.tableName} (${this.all.map((c) => c.databaseName).join(', ')}) VALUES (${this.all.map(() => '?').join(', ')})`;
  }

  hydrate(row: Record<string, unknown>): T {
    const entity = this.dataSource.getMetadata(this.target).create() as T;
    for (const column of this.selected) {
      column.setEntityValue(entity, this.dataSource.driver.prepareHydratedValue(row[this.key(column)], column));
    }
    return entity;
  }

  /** The values of `insertSql` for one entity, as the driver stores them (a missing value is NULL). */
  insertValues(entity: T): unknown[] {
    return this.all.map((column): unknown => {
      const value: unknown = this.dataSource.driver.preparePersistentValue(column.getEntityValue(entity), column);
      return value ?? null;
    });
  }

  private key(column: ColumnMetadata): string {
    return `${this.alias}_${column.propertyName}`;
  }
}
