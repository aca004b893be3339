import { HttpStatus, Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { EntityManager } from 'typeorm';
import { ProblemException } from '../common/errors/problem.exception';
import { authConfig } from '../config/auth.config';
import type { SqlStatement } from '../database/prepared-statements';
import { TransactionRunner } from '../database/transaction-runner';
import { AddressAttempt, AddressAttempts } from './address-attempts';
import { afterFailure, isLocked } from './brute-force.policy';
import { BruteForceRepository } from './brute-force.repository';

const SWEEP_INTERVAL_MS = 10 * 60_000;

/** Failed logins from one address in its current window, as stored in `rate_limits`. */
export interface AddressWindow {
  hits: number;
  windowEndsAt: Date;
}

/**
 * Login brute-force protection, with its counters in the database so every replica enforces the same limits:
 * a temporary lock per account after repeated wrong passwords, and a fixed window of failures per client address.
 */
@Injectable()
export class BruteForceService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(BruteForceService.name);
  private sweeper?: NodeJS.Timeout;
  /** The login attempts this replica is handling, by address. */
  private readonly attempts = new AddressAttempts();

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
   * A login attempt from `ip` is about to read its address's recorded failures (with the user it names, from
   * `addressBucket`): call before that read, then `admitLoginAttempt` with what it found, and `endLoginAttempt`.
   */
  startLoginAttempt(ip: string | null): AddressAttempt {
    return this.attempts.start(ipBucket(ip));
  }

  /**
   * Admits the attempt, or refuses it with 429 `rate_limited` and `Retry-After` when the address's failures in the
   * current window (`recorded`) plus the attempts from it in flight here reach the limit. Only failures are recorded
   * (`recordAddressFailure`): many people behind one proxy can still log in and a successful login writes nothing
   * here, while a script guessing passwords is held to the limit however many attempts it sends at once (exactly on
   * one replica; across replicas, plus what the others have in flight).
   */
  admitLoginAttempt(attempt: AddressAttempt, recorded: AddressWindow | null): void {
    const now = Date.now();
    const open = recorded && recorded.windowEndsAt.getTime() > now ? recorded : null;
    if ((open?.hits ?? 0) + this.attempts.unseen(attempt) >= this.config.bruteForce.ipMaxAttempts) {
      this.attempts.end(attempt, false);
      const retryAfter = open ? Math.max(1, Math.ceil((open.windowEndsAt.getTime() - now) / 1000)) : 1;
      throw new ProblemException(
        HttpStatus.TOO_MANY_REQUESTS,
        'rate_limited',
        'Too many login attempts from this address; try again later.',
        undefined,
        { 'retry-after': String(retryAfter) },
      );
    }
    this.attempts.admit(attempt);
  }

  /** The attempt is over: `failed` once its failure is committed (or when it could not tell). */
  endLoginAttempt(attempt: AddressAttempt, failed: boolean): void {
    this.attempts.end(attempt, failed);
  }

  /** The key of the address's window in `rate_limits`, for reading it with the login's user. */
  addressBucket(attempt: AddressAttempt): string {
    return attempt.bucket;
  }

  /** Counts a failed login against its address, in the caller's transaction. */
  recordAddressFailure(manager: EntityManager, ip: string | null): Promise<void> {
    return this.repository.hit(manager, ipBucket(ip), this.config.bruteForce.ipWindowSeconds, new Date());
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

  /** `reset` as a statement, for a login's transaction. */
  resetStatement(userId: string): SqlStatement {
    return this.repository.clearFailuresStatement(userId);
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
