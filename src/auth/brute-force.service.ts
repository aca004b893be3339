import { HttpStatus, Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { EntityManager } from 'typeorm';
import { ProblemException } from '../common/errors/problem.exception';
import { authConfig } from '../config/auth.config';
import { TransactionRunner } from '../database/transaction-runner';
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
  /** Login attempts being checked right now, by address bucket. */
  private readonly inFlight = new Map<string, number>();

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
   * Admits a login attempt from `ip`, or refuses it with 429 `rate_limited` and `Retry-After` when the address's
   * failures in the current window (`recorded`, read with the user the login names) plus the attempts from it now
   * in flight here reach the limit. Only failures are recorded (`recordAddressFailure`): many people behind one
   * proxy can still log in, and a successful login writes nothing here; a script guessing passwords cannot, however
   * many attempts it sends at once. Returns the function that ends the attempt, to call once its failure, if any,
   * is committed.
   */
  admitLoginAttempt(ip: string | null, recorded: AddressWindow | null): () => void {
    const bucket = ipBucket(ip);
    const now = Date.now();
    const open = recorded && recorded.windowEndsAt.getTime() > now ? recorded : null;
    const inFlight = this.inFlight.get(bucket) ?? 0;
    if ((open?.hits ?? 0) + inFlight >= this.config.bruteForce.ipMaxAttempts) {
      const retryAfter = open ? Math.max(1, Math.ceil((open.windowEndsAt.getTime() - now) / 1000)) : 1;
      throw new ProblemException(
        HttpStatus.TOO_MANY_REQUESTS,
        'rate_limited',
        'Too many login attempts from this address; try again later.',
        undefined,
        { 'retry-after': String(retryAfter) },
      );
    }
    this.inFlight.set(bucket, inFlight + 1);
    let ended = false;
    return () => {
      if (!ended) {
        ended = true;
        const left = (this.inFlight.get(bucket) ?? 1) - 1;
        if (left > 0) {
          this.inFlight.set(bucket, left);
        } else {
          this.inFlight.delete(bucket);
        }
      }
    };
  }

  /** The address's bucket, for reading its window with the login's user (see `admitLoginAttempt`). */
  addressBucket(ip: string | null): string {
    return ipBucket(ip);
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
