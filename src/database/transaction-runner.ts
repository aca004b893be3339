import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { BoundedQueue } from '../common/bounded-queue';

const DEADLOCK_RETRIES = 3;

function isDeadlock(error: unknown): boolean {
  const driver = (error as { driverError?: { errno?: number } })?.driverError;
  return driver?.errno === 1213;
}

/**
 * The one way to write: runs work in a transaction. On SQLite, TypeORM shares a single connection, so
 * transactions are queued one at a time (two open at once would interleave on it). On MySQL/MariaDB a
 * transaction chosen as a deadlock victim is retried.
 */
@Injectable()
export class TransactionRunner {
  private readonly serial?: BoundedQueue;

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {
    if (dataSource.options.type === 'better-sqlite3') {
      this.serial = new BoundedQueue(1, Number.MAX_SAFE_INTEGER);
    }
  }

  run<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.serial ? this.serial.run(() => this.dataSource.transaction(work)) : this.withRetry(work);
  }

  private async withRetry<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.dataSource.transaction(work);
      } catch (error) {
        if (!isDeadlock(error) || attempt >= DEADLOCK_RETRIES) {
          throw error;
        }
      }
    }
  }
}
