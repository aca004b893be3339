import { registerAs } from '@nestjs/config';
import { availableParallelism } from 'node:os';

/**
 * Password hashes in flight by default: one per core, at most 4 (libuv's thread pool, which also serves files and
 * DNS). Hashing is CPU-bound, so more at once are no faster; each only holds another 19 MiB buffer, which glibc
 * keeps after the hash.
 */
export const DEFAULT_HASH_CONCURRENCY = Math.min(availableParallelism(), 4);

function int(value: string | undefined, fallback: number): number {
  return value === undefined || value === '' ? fallback : Number(value);
}

export const authConfig = registerAs('auth', () => ({
  bootstrapAdmin: {
    username: process.env.BOOTSTRAP_ADMIN_USERNAME ?? 'admin',
    password: process.env.BOOTSTRAP_ADMIN_PASSWORD || undefined,
  },
  /** OWASP's stated argon2id minimum; the argon2 package's own defaults are far too slow for a login path. */
  argon2: {
    memoryCost: int(process.env.ARGON2_MEMORY_KIB, 19456),
    timeCost: int(process.env.ARGON2_TIME_COST, 2),
    parallelism: int(process.env.ARGON2_PARALLELISM, 1),
  },
  hashConcurrency: int(process.env.PASSWORD_HASH_CONCURRENCY, DEFAULT_HASH_CONCURRENCY),
  passwordMinLength: int(process.env.PASSWORD_MIN_LENGTH, 8),
  accessTokenTtlSeconds: int(process.env.ACCESS_TOKEN_TTL_SECONDS, 300),
  refreshTokenTtlSeconds: int(process.env.REFRESH_TOKEN_TTL_SECONDS, 8 * 3600),
  issuer: process.env.JWT_ISSUER ?? 'roster',
  audience: process.env.JWT_AUDIENCE ?? 'roster',
  privateKeyPem: process.env.JWT_PRIVATE_KEY || undefined,
  /** How access tokens are signed: RS256 (default) or ES256; with JWT_PRIVATE_KEY the key's type decides. */
  jwtAlgorithm: (process.env.JWT_ALGORITHM || undefined) as 'RS256' | 'ES256' | undefined,
  /** How often each replica re-reads the signing keys, so a rotation made on another replica reaches it. */
  signingKeysReloadSeconds: int(process.env.SIGNING_KEYS_RELOAD_SECONDS, 30),
  /** Brute-force protection per account (ASVS 2.2.1: at most 100 failures per hour) and per client address. */
  bruteForce: {
    lockAfterFailures: int(process.env.LOGIN_LOCK_AFTER_FAILURES, 5),
    lockSeconds: int(process.env.LOGIN_LOCK_SECONDS, 60),
    lockMaxSeconds: int(process.env.LOGIN_LOCK_MAX_SECONDS, 900),
    maxFailuresPerHour: int(process.env.LOGIN_MAX_FAILURES_PER_HOUR, 100),
    ipMaxAttempts: int(process.env.LOGIN_IP_MAX_ATTEMPTS, 30),
    ipWindowSeconds: int(process.env.LOGIN_IP_WINDOW_SECONDS, 60),
  },
}));

export type AuthConfig = ReturnType<typeof authConfig>;
