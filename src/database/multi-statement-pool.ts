import { createPool, Pool, PoolConnection, PoolOptions } from 'mysql2';
import type { DataSource } from 'typeorm';
import type { SqlStatement } from './prepared-statements';

/** mysql2's error code for a query that outlived its `timeout`. */
const QUERY_TIMEOUT = 'PROTOCOL_SEQUENCE_TIMEOUT';

/** Transactions in flight at once through this pool; each holds its connection for one round trip. */
const CONNECTIONS = 4;

interface OptionsBuilder {
  options: object;
  createConnectionOptions(options: object, credentials: object): PoolOptions;
}

/**
 * MySQL/MariaDB connections of their own for transactions sent as one multi-statement query (see
 * TransactionRunner.runStatements). Only this pool allows multi-statements, and it only sends the statements the
 * repositories wrote, with values escaped by mysql2 as it escapes every TypeORM query; TypeORM's pool keeps them off,
 * so no other query can be stretched into several. The connection options are TypeORM's own.
 */
export class MultiStatementPool {
  private readonly pool: Pool;

  constructor(
    dataSource: DataSource,
    private readonly timeoutMs: number,
  ) {
    const driver = dataSource.driver as unknown as OptionsBuilder;
    const options = driver.createConnectionOptions(driver.options, driver.options);
    this.pool = createPool({ ...options, multipleStatements: true, connectionLimit: CONNECTIONS });
  }

  /**
   * START TRANSACTION, the statements and COMMIT in one round trip. The server stops at a failing statement, so
   * nothing after it runs; the transaction is then rolled back (a deadlock victim's is already) and the error thrown.
   */
  async transaction(statements: SqlStatement[]): Promise<void> {
    const connection = await new Promise<PoolConnection>((resolve, reject) =>
      this.pool.getConnection((error, acquired) => (error ? reject(error) : resolve(acquired))),
    );
    const script = ['START TRANSACTION', ...statements.map((s) => connection.format(s.sql, s.values)), 'COMMIT'];
    try {
      await this.query(connection, script.join(';\n'));
    } catch (error) {
      await this.rollback(connection, error);
      throw error;
    }
    connection.release();
  }

  close(): Promise<void> {
    return new Promise((resolve, reject) => this.pool.end((error) => (error ? reject(error) : resolve())));
  }

  private query(connection: PoolConnection, sql: string): Promise<void> {
    return new Promise((resolve, reject) =>
      connection.query({ sql, timeout: this.timeoutMs }, (error) => (error ? reject(error) : resolve())),
    );
  }

  /**
   * A timed-out or broken connection is destroyed (the server rolls back when it goes); any other is rolled back
   * and returns to the pool.
   */
  private async rollback(connection: PoolConnection, error: unknown): Promise<void> {
    const { code, fatal } = error as { code?: string; fatal?: boolean };
    if (fatal || code === QUERY_TIMEOUT) {
      connection.destroy();
      return;
    }
    try {
      await this.query(connection, 'ROLLBACK');
      connection.release();
    } catch {
      connection.destroy();
    }
  }
}
