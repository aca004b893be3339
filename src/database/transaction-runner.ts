import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { BoundedQueue } from '../common/bounded-queue';
import { databaseConfig } from '../config/database.config';
import { MultiStatementPool } from './multi-statement-pool';
import { PreparedStatements, SqlStatement } from './prepared-statements';

const DEADLOCK_RETRIES = 3;

function isDeadlock(error: unknown): boolean {
  const driver = (error as { driverError?: { errno?: number }; errno?: number } | undefined) ?? {};
  return (driver.driverError?.errno ?? driver.errno) === 1213;
}

type CommitTask = (manager: EntityManager) => Promise<unknown>;

/** The tasks each open transaction runs just before it commits, by key (registering a key twice runs it once). */
const beforeCommitTasks = new WeakMap<EntityManager, Map<string, CommitTask>>();

/**
 * Has `task` run at the end of the transaction of `manager`, after its work and just before it commits, once however
 * often it is registered. For a row every such transaction updates (a counter): taken last, its lock is held only
 * for the commit, and it cannot close a deadlock cycle with the locks the work took before.
 */
export function beforeCommit(manager: EntityManager, key: string, task: CommitTask): void {
  const tasks = beforeCommitTasks.get(manager);
  if (!tasks) {
    throw new Error('beforeCommit needs a transaction opened by TransactionRunner');
  }
  tasks.set(key, task);
}

/**
 * The one way to write: runs work in a transaction. On SQLite, TypeORM shares a single connection, so
 * transactions are queued one at a time (two open at once would interleave on it). On MySQL/MariaDB a
 * transaction chosen as a deadlock victim is retried.
 */
@Injectable()
export class TransactionRunner implements OnApplicationShutdown {
  private readonly serial?: BoundedQueue;
  private readonly multiStatements?: MultiStatementPool;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly statements: PreparedStatements,
    @Inject(databaseConfig.KEY) config: ConfigType<typeof databaseConfig>,
  ) {
    if (dataSource.options.type === 'better-sqlite3') {
      this.serial = new BoundedQueue(1, Number.MAX_SAFE_INTEGER);
    } else {
      this.multiStatements = new MultiStatementPool(dataSource, config.timeoutMs);
    }
  }

  run<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.serial ? this.serial.run(() => this.transaction(work)) : this.withRetry(() => this.transaction(work));
  }

  /**
   * Runs statements that need nothing from each other's results as one transaction, in one round trip on
   * MySQL/MariaDB (MultiStatementPool) instead of one for each statement and two more for BEGIN and COMMIT: every
   * round trip costs the event loop a wake-up, a socket write and an answer to parse (a login's four writes this
   * way: 3.1-3.5 ms of event-loop CPU a login instead of 3.5-4.1, beside password hashing). On SQLite, a
   * transaction in the queue.
   */
  runStatements(statements: SqlStatement[]): Promise<void> {
    const multiStatements = this.multiStatements;
    if (!multiStatements) {
      return this.run(async (manager) => {
        for (const statement of statements) {
          await this.statements.run(statement, manager);
        }
      });
    }
    return this.withRetry(() => multiStatements.transaction(statements));
  }

  /**
   * Runs work whose writes are single statements, each atomic by itself (an INSERT … SELECT, a conditional UPDATE):
   * on MySQL/MariaDB as they are, without the BEGIN and COMMIT round trips; on SQLite in the queue of transactions,
   * since a statement run while a transaction is open on the one connection would become part of it.
   */
  autocommit<T>(work: () => Promise<T>): Promise<T> {
    return this.serial ? this.serial.run(work) : work();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.multiStatements?.close();
  }

  private transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(async (manager) => {
      const tasks = new Map<string, CommitTask>();
      beforeCommitTasks.set(manager, tasks);
      const result = await work(manager);
      for (const task of tasks.values()) {
        await task(manager);
      }
      return result;
    });
  }

  private async withRetry<T>(attempt: () => Promise<T>): Promise<T> {
    for (let tries = 1; ; tries++) {
      try {
        return await attempt();
      } catch (error) {
        if (!isDeadlock(error) || tries >= DEADLOCK_RETRIES) {
          throw error;
        }
      }
    }
  }
}
