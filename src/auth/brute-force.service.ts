import { HttpStatus, Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { EntityManager } from 'typeorm';
import { ProblemException } from '../common/errors/problem.exception';
import { authConfig } from '../config/auth.config';
import { TransactionRunner } from '../database/transaction-runner';
import { afterFailure, isLocked } from './brute-force.policy';
import { BruteForceRepository } from './brute-force.repository';

const SWEEP_INTERVAL_MS = 10 * 60_000;

/**
 * Login brute-force protection, with its counters in the database so every replica enforces the same limits:
 * a temporary lock per account after repeated wrong passwords, and a fixed window of attempts per client address.
 */
@Injectable()
export class BruteForceService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(BruteForceService.name);
  private sweeper?: NodeJS.Timeout;

  constructor(
    private readonly transactions: TransactionRunner,
    private readonly repository: BruteForceRepository,
    @Inject(authConfig.KEY) private readonly config: ConfigType<typeof authConfig>,
  ) {}

  onModuleInit(): void {
    this.sweeper = setInterval(() => void this.sweep(), SWEEP_INTERVAL_MS).unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.sweeper);
  }

  /**
   * Takes one login attempt from the address's window, or refuses with 429 `rate_limited` and `Retry-After`.
   * A successful login gives its attempt back (`refundLoginAttempt`), so only failures add up: many people
   * behind one proxy can still log in, a script guessing passwords cannot.
   */
  async takeLoginAttempt(ip: string | null): Promise<void> {
    const now = new Date();
    const window = await this.transactions.autocommit(() =>
      this.repository.hit(ipBucket(ip), this.config.bruteForce.ipWindowSeconds, now),
    );
    if (window.hits > this.config.bruteForce.ipMaxAttempts) {
      const retryAfter = Math.max(1, Math.ceil((window.windowEndsAt.getTime() - now.getTime()) / 1000));
      throw new ProblemException(
        HttpStatus.TOO_MANY_REQUESTS,
        'rate_limited',
        'Too many login attempts from this address; try again later.',
        undefined,
        { 'retry-after': String(retryAfter) },
      );
    }
  }

  refundLoginAttempt(manager: EntityManager, ip: string | null): Promise<void> {
    return this.repository.refund(manager, ipBucket(ip), new Date());
  }

  /** Counts a wrong password; returns the end of the lock it started, if any. Runs in the caller's transaction. */
  async recordFailure(manager: EntityManager, userId: string): Promise<Date | null> {
    const now = new Date();
    const previous = await this.repository.lockFailures(manager, userId);
    if (isLocked(previous, now)) {
      return previous!.lockedUntil;
    }
    const next = afterFailure(previous, now, this.config.bruteForce);
    await this.repository.saveFailures(manager, userId, next);
    return isLocked(next, now) ? next.lockedUntil : null;
  }

  /** Forgets the account's failures and lifts its lock (successful login, or an administrator's clear). */
  reset(manager: EntityManager, userId: string): Promise<boolean> {
    return this.repository.clearFailures(manager, userId);
  }

  private async sweep(): Promise<void> {
    try {
      await this.transactions.run((manager) =>
        this.repository.deleteEndedWindows(manager, new Date(Date.now() - SWEEP_INTERVAL_MS)),
      );
    } catch (error) {
      this.logger.warn({ err: error }, 'Could not delete ended rate-limit windows');
    }
  }
}

function ipBucket(ip: string | null): string {
  return `login:ip:${ip ?? 'unknown'}`.slice(0, 128);
}
