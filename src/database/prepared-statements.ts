import { Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { databaseConfig } from '../config/database.config';

/** mysql2's error code for a statement that outlived its `timeout`. */
const QUERY_TIMEOUT = 'PROTOCOL_SEQUENCE_TIMEOUT';

interface MysqlConnection {
  execute(
    options: { sql: string; timeout: number },
    values: unknown[],
    callback: (error: Error | null, result: unknown) => void,
  ): void;
  release(): void;
  destroy(): void;
}

interface SqliteStatement {
  reader: boolean;
  all(...values: unknown[]): unknown[];
  run(...values: unknown[]): { changes: number };
}

interface SqliteDatabase {
  prepare(sql: string): SqliteStatement;
}

export interface WriteResult {
  affected: number;
}

/** A write with its values, built by a repository for a transaction sent in one round trip (TransactionRunner.runStatements). */
export interface SqlStatement {
  sql: string;
  values: unknown[];
}

/**
 * Prepared statements for the statements every request runs (the session check, a login, a refresh): parsed once
 * per connection and sent with their values in the binary protocol on MySQL/MariaDB (`execute`), prepared once and
 * cached on SQLite. Against TypeORM's `query()` this saves the SQL text escaping on our side and the parse on the
 * server's: about 100 µs of CPU a statement on this machine. Rows come back raw (the caller maps them), with
 * timestamps as `Date` on MySQL and as `YYYY-MM-DD HH:MM:SS.SSS` strings on SQLite (`parseSqlTimestamp`).
 *
 * Pass the transaction's manager to run inside it. On MySQL a statement is bounded by `DATABASE_TIMEOUT_MS`, and
 * a timed-out connection is destroyed (the server rolls back) instead of going back to the pool, as TypeORM's
 * queries are (see QueryTimeoutSubscriber).
 */
@Injectable()
export class PreparedStatements {
  private readonly sqlite?: Map<string, SqliteStatement>;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(databaseConfig.KEY) private readonly config: ConfigType<typeof databaseConfig>,
  ) {
    if (dataSource.options.type === 'better-sqlite3') {
      this.sqlite = new Map();
    }
  }

  async select<T>(sql: string, values: unknown[], manager?: EntityManager): Promise<T[]> {
    return (await this.execute(sql, values, manager)) as T[];
  }

  run(statement: SqlStatement, manager?: EntityManager): Promise<WriteResult> {
    return this.write(statement.sql, statement.values, manager);
  }

  async write(sql: string, values: unknown[], manager?: EntityManager): Promise<WriteResult> {
    const result = (await this.execute(sql, values, manager)) as { affectedRows?: number; changes?: number };
    return { affected: result.affectedRows ?? result.changes ?? 0 };
  }

  private async execute(sql: string, values: unknown[], manager?: EntityManager): Promise<unknown> {
    if (this.sqlite) {
      return this.executeSqlite(sql, values);
    }
    const runner = manager?.queryRunner;
    if (runner) {
      // A transaction: its connection stays TypeORM's to commit, roll back and release.
      const connection = (runner as unknown as { databaseConnection?: MysqlConnection }).databaseConnection;
      if (!connection) {
        throw new Error('The transaction has no connection');
      }
      return this.executeMysql(connection, sql, values);
    }
    const driver = this.dataSource.driver as unknown as { obtainMasterConnection(): Promise<MysqlConnection> };
    const connection = await driver.obtainMasterConnection();
    try {
      const result = await this.executeMysql(connection, sql, values);
      connection.release();
      return result;
    } catch (error) {
      if ((error as { code?: string }).code !== QUERY_TIMEOUT) {
        connection.release();
      }
      throw error;
    }
  }

  /**
   * mysql2 accepts a `timeout` for execute() but enforces it only for query(), so the timer is ours: past it the
   * connection is destroyed (a hung server would otherwise hold the request until it wakes) and the error is the
   * one a timed-out query gets.
   */
  private executeMysql(connection: MysqlConnection, sql: string, values: unknown[]): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        connection.destroy();
        reject(Object.assign(new Error('Query inactivity timeout'), { code: QUERY_TIMEOUT, fatal: true }));
      }, this.config.timeoutMs);
      connection.execute({ sql, timeout: this.config.timeoutMs }, values, (error, result) => {
        clearTimeout(timer);
        if (error) {
          reject(error);
        } else {
          resolve(result);
        }
      });
    });
  }

  /** SQLite has one connection, the driver's: a transaction open on it includes every statement run on it. */
  private executeSqlite(sql: string, values: unknown[]): unknown {
    let statement = this.sqlite!.get(sql);
    if (!statement) {
      const driver = this.dataSource.driver as unknown as { databaseConnection: SqliteDatabase };
      statement = driver.databaseConnection.prepare(sql);
      this.sqlite!.set(sql, statement);
    }
    return statement.reader ? statement.all(...values) : statement.run(...values);
  }
}
