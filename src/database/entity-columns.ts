import { DataSource, EntityTarget, ObjectLiteral } from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';

/**
 * An entity's columns as the select list of a hand-written statement, and the rows it returns turned into entities
 * with TypeORM's own metadata and type conversions (booleans, timestamps from either driver). For the reads every
 * request makes, run as PreparedStatements: the query builder spent more CPU composing such a statement than the
 * database spent answering it.
 */
export class EntityColumns<T extends ObjectLiteral> {
  /** `alias.column AS alias_property, …`: every column that is selected by default, plus `alsoSelect`. */
  readonly selectList: string;
  private readonly columns: readonly ColumnMetadata[];

  constructor(
    private readonly dataSource: DataSource,
    private readonly target: EntityTarget<T>,
    private readonly alias: string,
    alsoSelect: readonly (keyof T & string)[] = [],
  ) {
    this.columns = dataSource
      .getMetadata(target)
      .columns.filter((column) => column.isSelect || alsoSelect.includes(column.propertyName as keyof T & string));
    this.selectList = this.columns.map((column) => `${alias}.${column.databaseName} AS ${this.key(column)}`).join(', ');
  }

  hydrate(row: Record<string, unknown>): T {
    const entity = this.dataSource.getMetadata(this.target).create() as T;
    for (const column of this.columns) {
      column.setEntityValue(entity, this.dataSource.driver.prepareHydratedValue(row[this.key(column)], column));
    }
    return entity;
  }

  private key(column: ColumnMetadata): string {
    return `${this.alias}_${column.propertyName}`;
  }
}
