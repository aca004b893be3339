import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { InjectRepository } from '@nestjs/typeorm';
import { createHash, createPrivateKey, createPublicKey, generateKeyPair, KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { IsNull, MoreThan, Not, Or, Repository } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { ProblemException } from '../common/errors/problem.exception';
import type { RequestContext } from '../common/request-context';
import { authConfig } from '../config/auth.config';
import { TransactionRunner } from '../database/transaction-runner';
import { SigningKeyEntity } from './entities/signing-key.entity';

const generateRsaKeyPair = promisify(generateKeyPair);
/** Key ids are RFC 7638 thumbprints: anything else in a token header is not ours and costs no database read. */
const KID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

interface LoadedKey {
  kid: string;
  publicKey: KeyObject;
  privateKey?: KeyObject;
  createdAt: Date;
}

export interface PublicJwk {
  kty: string;
  n: string;
  e: string;
  kid: string;
  alg: 'RS256';
  use: 'sig';
}

/** RFC 7638 thumbprint: the key id every replica derives the same way from the public key. */
function thumbprint(publicKey: KeyObject): string {
  const { e, kty, n } = publicKey.export({ format: 'jwk' });
  return createHash('sha256').update(JSON.stringify({ e, kty, n })).digest('base64url');
}

async function newKeyPair(): Promise<SigningKeyEntity> {
  const { privateKey, publicKey } = await generateRsaKeyPair('rsa', { modulusLength: 2048 });
  return {
    kid: thumbprint(publicKey),
    algorithm: 'RS256',
    privateKey: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    publicKey: publicKey.export({ format: 'pem', type: 'spki' }).toString(),
    createdAt: new Date(),
    retiredAt: null,
  };
}

/**
 * The RS256 keys that sign and verify access tokens. They live in the database so every replica shares them
 * (or come from `JWT_PRIVATE_KEY`), and are held in memory as parsed `KeyObject`s: parsing a PEM per request
 * would cost ten times the verification itself.
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
    if (!this.config.privateKeyPem && !(await this.repository.existsBy({ retiredAt: IsNull() }))) {
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

  signingKey(): { kid: string; privateKey: KeyObject } {
    if (!this.signing?.privateKey) {
      throw new Error('No signing key is loaded');
    }
    return { kid: this.signing.kid, privateKey: this.signing.privateKey };
  }

  /**
   * The public key for a token's `kid`. An unknown kid costs one primary-key lookup, and a reload only when
   * the key exists: another replica has rotated, and its tokens must verify here at once.
   */
  async verificationKey(kid: unknown): Promise<KeyObject | undefined> {
    if (typeof kid !== 'string' || !KID_PATTERN.test(kid)) {
      return undefined;
    }
    const known = this.keys.get(kid);
    if (known) {
      return known.publicKey;
    }
    if (!(await this.repository.existsBy({ kid, retiredAt: Or(IsNull(), MoreThan(this.publishedSince())) }))) {
      return undefined;
    }
    await this.reload();
    return this.keys.get(kid)?.publicKey;
  }

  /** The JWKS: every key whose tokens may still be live. */
  jwks(): PublicJwk[] {
    return [...this.keys.values()].map((key) => {
      const { kty, n, e } = key.publicKey.export({ format: 'jwk' });
      return { kty: kty!, n: n!, e: e!, kid: key.kid, alg: 'RS256', use: 'sig' };
    });
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
    const key = await newKeyPair();
    await this.transactions.run(async (manager) => {
      await manager.insert(SigningKeyEntity, key);
      const retired = await manager.update(
        SigningKeyEntity,
        { retiredAt: IsNull(), kid: Not(key.kid) },
        { retiredAt: new Date() },
      );
      await this.audit.record(manager, context, {
        action: 'auth.key_rotate',
        targetType: 'signing_key',
        details: { kid: key.kid, retiredKeys: retired.affected ?? 0 },
      });
    });
    this.logger.log(`Rotated to signing key ${key.kid}`);
    await this.reload();
    return key.kid;
  }

  private async generate(): Promise<void> {
    const key = await newKeyPair();
    await this.transactions.run((manager) => manager.insert(SigningKeyEntity, key));
    this.logger.log(`Generated signing key ${key.kid}`);
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
      const key: LoadedKey = {
        kid: row.kid,
        publicKey: createPublicKey(row.publicKey),
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
