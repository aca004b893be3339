import { Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import * as argon2 from 'argon2';
import { authConfig } from '../config/auth.config';
import { BoundedQueue } from '../common/bounded-queue';

/**
 * argon2id hashing with the configured parameters, stored as a PHC string. The native work runs on libuv's
 * thread pool, off the event loop; a bounded queue caps how many hashes run (and wait) at once.
 */
@Injectable()
export class PasswordHasher {
  private readonly queue: BoundedQueue;
  private readonly options: argon2.HashOptions;
  private dummyHash?: Promise<string>;

  constructor(@Inject(authConfig.KEY) config: ConfigType<typeof authConfig>) {
    this.options = { type: argon2.argon2id, ...config.argon2 };
    this.queue = new BoundedQueue(config.hashConcurrency, config.hashConcurrency * 64);
  }

  hash(password: string): Promise<string> {
    return this.queue.run(() => argon2.hash(password, this.options));
  }

  /** Verifies against a stored hash; a malformed hash never matches. */
  verify(hash: string, password: string): Promise<boolean> {
    return this.queue.run(async () => {
      try {
        return await argon2.verify(hash, password);
      } catch {
        return false;
      }
    });
  }

  /** Spends the same time as a real verification, so an unknown username cannot be told from a wrong password. */
  async verifyDummy(password: string): Promise<void> {
    this.dummyHash ??= this.hash('dummy password for timing');
    await this.verify(await this.dummyHash, password);
  }

  /** True when the hash was made with other parameters than the configured ones (re-hash on next login). */
  needsRehash(hash: string): boolean {
    return argon2.needsRehash(hash, this.options);
  }
}
