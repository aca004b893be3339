import type { DataSourceOptions } from 'typeorm';
import type { DatabaseConfig } from '../config/database.config';
import { migrations } from './migrations';
import { QueryTimeoutSubscriber } from './query-timeout.subscriber';

/** One place that turns the database config into TypeORM options, shared by the app and the migration CLI. */
export function buildDataSourceOptions(config: DatabaseConfig): DataSourceOptions {
  const common = {
    synchronize: false,
    migrationsRun: false,
    migrations,
    migrationsTransactionMode: 'each' as const,
  };
  if (config.type === 'better-sqlite3') {
    return {
      ...common,
      type: 'better-sqlite3',
      database: config.database,
      enableWAL: config.database !== ':memory:',
      timeout: config.timeoutMs,
      prepareDatabase: (db: { pragma(sql: string): unknown }) => {
        db.pragma('synchronous = NORMAL');
      },
    };
  }
  return {
    ...common,
    type: 'mysql',
    url: config.url,
    charset: 'utf8mb4_unicode_ci',
    timezone: 'Z',
    connectTimeout: config.timeoutMs,
    // Without it a hung server (or a black-holed network) holds a request forever: the query fails after the
    // timeout, QueryTimeoutSubscriber destroys its connection (the server rolls back), and the client gets a 503.
    maxQueryExecutionTime: config.timeoutMs,
    enableQueryTimeout: true,
    subscribers: [QueryTimeoutSubscriber],
    // trace: mysql2 would capture a stack trace for every query, for errors that we log without it.
    // maxPreparedStatements: each connection keeps its most used 256 (mysql2's default, 16,000, on 10 connections
    // of a few replicas would pass the server-wide max_prepared_stmt_count, 16,382 by default, and writes that index
    // search trigrams prepare a statement per list length).
    extra: { connectionLimit: 10, enableKeepAlive: true, trace: false, maxPreparedStatements: 256 },
  };
}
