import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { InjectRepository } from '@nestjs/typeorm';
import { createHash, createPrivateKey, createPublicKey, generateKeyPair, KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { EntityManager, IsNull, MoreThan, Not, Or, Repository } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { ProblemException } from '../common/errors/problem.exception';
import type { RequestContext } from '../common/request-context';
import { authConfig } from '../config/auth.config';
import { TransactionRunner } from '../database/transaction-runner';
import { SigningKeyEntity } from './entities/signing-key.entity';

const generateKeyPairAsync = promisify(generateKeyPair);
/** Key ids are RFC 7638 thumbprints: anything else in a token header is not ours and costs no database read. */
const KID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

export type SigningAlgorithm = 'RS256' | 'ES256';

interface LoadedKey {
  kid: string;
  algorithm: SigningAlgorithm;
  publicKey: KeyObject;
  privateKey?: KeyObject;
  createdAt: Date;
}

/** A published key: RSA keys carry `n` and `e`, EC keys `crv`, `x` and `y`. */
export interface PublicJwk {
  kty: string;
  kid: string;
  alg: SigningAlgorithm;
  use: 'sig';
  n?: string;
  e?: string;
  crv?: string;
  x?: string;
  y?: string;
}

/** The algorithm a key signs with: RS256 for RSA, ES256 for EC P-256; nothing else is accepted. */
export function algorithmOf(key: KeyObject): SigningAlgorithm {
  if (key.asymmetricKeyType === 'rsa') {
    return 'RS256';
  }
  if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') {
    return 'ES256';
  }
  throw new Error('The signing key must be RSA (RS256) or EC P-256 (ES256)');
}

/** The public members of a key's JWK, RFC 7638 order. */
function publicMembers(publicKey: KeyObject): Record<string, string> {
  const { crv, e, kty, n, x, y } = publicKey.export({ format: 'jwk' });
  return kty === 'EC' ? { crv: crv!, kty, x: x!, y: y! } : { e: e!, kty: kty!, n: n! };
}

/** RFC 7638 thumbprint: the key id every replica derives the same way from the public key. */
function thumbprint(publicKey: KeyObject): string {
  return createHash('sha256')
    .update(JSON.stringify(publicMembers(publicKey)))
    .digest('base64url');
}

async function newKeyPair(algorithm: SigningAlgorithm): Promise<SigningKeyEntity> {
  const { privateKey, publicKey } =
    algorithm === 'ES256'
      ? await generateKeyPairAsync('ec', { namedCurve: 'P-256' })
      : await generateKeyPairAsync('rsa', { modulusLength: 2048 });
  return {
    kid: thumbprint(publicKey),
    algorithm,
    privateKey: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    publicKey: publicKey.export({ format: 'pem', type: 'spki' }).toString(),
    createdAt: new Date(),
    retiredAt: null,
  };
}

/**
 * The keys that sign and verify access tokens: RS256 by default, ES256 with `JWT_ALGORITHM=ES256` (a seventh of the
 * signing CPU). They live in the database so every replica shares them (or come from `JWT_PRIVATE_KEY`), and are held
 * in memory as parsed `KeyObject`s: parsing a PEM per request would cost ten times the verification itself.
 */
@Injectable()
export class SigningKeysService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(SigningKeysService.name);
  private keys = new Map<string, LoadedKey>();
  private signing?: LoadedKey;
  private reloader?: NodeJS.Timeout;

  constructor(
    @InjectRepository(SigningKeyEntity)
    private readonly repository: Repository<SigningKeyEntity>,
    @Inject(authConfig.KEY)
    private readonly config: ConfigType<typeof authConfig>,
    private readonly transactions: TransactionRunner,
    private readonly audit: AuditService,
  ) {}

  async onModuleInit(): Promise<void> {
    if (this.config.privateKeyPem) {
      const configured = algorithmOf(createPrivateKey(this.config.privateKeyPem));
      if (this.config.jwtAlgorithm && this.config.jwtAlgorithm !== configured) {
        throw new Error(`JWT_ALGORITHM is ${this.config.jwtAlgorithm} but JWT_PRIVATE_KEY is a ${configured} key`);
      }
    } else if (!(await this.repository.existsBy({ retiredAt: IsNull(), algorithm: this.algorithm }))) {
      // First start, or JWT_ALGORITHM changed: a key of that algorithm takes over, the others stay published.
      await this.generate();
    }
    await this.reload();
    // Another replica's rotation reaches this one within the interval; until then it keeps signing with the
    // retired key, which stays published (see `reload`) so those tokens still verify everywhere.
    this.reloader = setInterval(() => void this.reloadQuietly(), this.config.signingKeysReloadSeconds * 1000).unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.reloader);
  }

  /** True when signing keys come from `JWT_PRIVATE_KEY` (and so cannot be rotated through the API). */
  get configuredKey(): boolean {
    return !!this.config.privateKeyPem;
  }

  /** The algorithm new keys are made for. */
  private get algorithm(): SigningAlgorithm {
    return this.config.jwtAlgorithm ?? 'RS256';
  }

  signingKey(): { kid: string; algorithm: SigningAlgorithm; privateKey: KeyObject } {
    if (!this.signing?.privateKey) {
      throw new Error('No signing key is loaded');
    }
    return { kid: this.signing.kid, algorithm: this.signing.algorithm, privateKey: this.signing.privateKey };
  }

  /**
   * The public key for a token's `kid`. An unknown kid costs one primary-key lookup, and a reload only when
   * the key exists: another replica has rotated, and its tokens must verify here at once.
   */
  async verificationKey(kid: unknown): Promise<{ publicKey: KeyObject; algorithm: SigningAlgorithm } | undefined> {
    if (typeof kid !== 'string' || !KID_PATTERN.test(kid)) {
      return undefined;
    }
    const known = this.keys.get(kid);
    if (known) {
      return known;
    }
    if (!(await this.repository.existsBy({ kid, retiredAt: Or(IsNull(), MoreThan(this.publishedSince())) }))) {
      return undefined;
    }
    await this.reload();
    return this.keys.get(kid);
  }

  /** The JWKS: every key whose tokens may still be live. */
  jwks(): PublicJwk[] {
    return [...this.keys.values()].map((key) => ({
      ...(publicMembers(key.publicKey) as { kty: string }),
      kid: key.kid,
      alg: key.algorithm,
      use: 'sig',
    }));
  }

  /**
   * Makes a new signing key and retires the others; they stay published until the tokens they signed have
   * expired. Other replicas switch to the new key at their next reload.
   */
  async rotate(context: RequestContext): Promise<string> {
    if (this.config.privateKeyPem) {
      throw ProblemException.conflict(
        'signing_key_configured',
        'The signing key is set by JWT_PRIVATE_KEY; change the variable to rotate it.',
      );
    }
    const key = await newKeyPair(this.algorithm);
    await this.transactions.run(async (manager) => {
      const retired = await this.install(manager, key);
      await this.audit.record(manager, context, {
        action: 'auth.key_rotate',
        targetType: 'signing_key',
        details: { kid: key.kid, algorithm: key.algorithm, retiredKeys: retired },
      });
    });
    this.logger.log(`Rotated to signing key ${key.kid}`);
    await this.reload();
    return key.kid;
  }

  private async generate(): Promise<void> {
    const key = await newKeyPair(this.algorithm);
    await this.transactions.run((manager) => this.install(manager, key));
    this.logger.log(`Generated ${key.algorithm} signing key ${key.kid}`);
  }

  /** Stores a new signing key and retires the others; returns how many were retired. */
  private async install(manager: EntityManager, key: SigningKeyEntity): Promise<number> {
    await manager.insert(SigningKeyEntity, key);
    const retired = await manager.update(
      SigningKeyEntity,
      { retiredAt: IsNull(), kid: Not(key.kid) },
      { retiredAt: new Date() },
    );
    return retired.affected ?? 0;
  }

  /**
   * Retired keys stay published for as long as a token they signed can live: the token lifetime, plus the
   * reload interval during which other replicas may still sign with them, plus a minute of clock skew.
   */
  private publishedSince(): Date {
    const seconds = this.config.accessTokenTtlSeconds + this.config.signingKeysReloadSeconds + 60;
    return new Date(Date.now() - seconds * 1000);
  }

  private async reloadQuietly(): Promise<void> {
    try {
      await this.reload();
    } catch (error) {
      this.logger.warn({ err: error }, 'Could not reload the signing keys; keeping the loaded ones');
    }
  }

  private async reload(): Promise<void> {
    const publishedSince = this.publishedSince();
    const rows = await this.repository.find({
      select: {
        kid: true,
        algorithm: true,
        privateKey: true,
        publicKey: true,
        createdAt: true,
        retiredAt: true,
      },
      where: { retiredAt: Or(IsNull(), MoreThan(publishedSince)) },
      order: { createdAt: 'DESC', kid: 'ASC' },
    });
    const keys = new Map<string, LoadedKey>();
    let signing: LoadedKey | undefined;
    for (const row of rows) {
      const publicKey = createPublicKey(row.publicKey);
      const key: LoadedKey = {
        kid: row.kid,
        algorithm: algorithmOf(publicKey),
        publicKey,
        createdAt: row.createdAt,
      };
      if (!row.retiredAt) {
        key.privateKey = createPrivateKey(row.privateKey);
        signing ??= key;
      }
      keys.set(key.kid, key);
    }
    if (this.config.privateKeyPem) {
      const privateKey = createPrivateKey(this.config.privateKeyPem);
      const publicKey = createPublicKey(privateKey);
      signing = {
        kid: thumbprint(publicKey),
        algorithm: algorithmOf(publicKey),
        publicKey,
        privateKey,
        createdAt: new Date(),
      };
      keys.set(signing.kid, signing);
    }
    this.keys = keys;
    this.signing = signing;
  }
}
