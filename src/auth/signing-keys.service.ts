import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { InjectRepository } from '@nestjs/typeorm';
import { createHash, createPrivateKey, createPublicKey, generateKeyPair, KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { IsNull, MoreThan, Not, Or, Repository } from 'typeorm';
import { authConfig } from '../config/auth.config';
import { SigningKeyEntity } from './entities/signing-key.entity';

const generateRsaKeyPair = promisify(generateKeyPair);
const RELOAD_INTERVAL_MS = 5_000;

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

/**
 * The RS256 keys that sign and verify access tokens. They live in the database so every replica shares them
 * (or come from `JWT_PRIVATE_KEY`), and are held in memory as parsed `KeyObject`s: parsing a PEM per request
 * would cost ten times the verification itself.
 */
@Injectable()
export class SigningKeysService implements OnModuleInit {
  private readonly logger = new Logger(SigningKeysService.name);
  private keys = new Map<string, LoadedKey>();
  private signing?: LoadedKey;
  private lastReload = 0;

  constructor(
    @InjectRepository(SigningKeyEntity)
    private readonly repository: Repository<SigningKeyEntity>,
    @Inject(authConfig.KEY)
    private readonly config: ConfigType<typeof authConfig>,
  ) {}

  async onModuleInit(): Promise<void> {
    if (!this.config.privateKeyPem && !(await this.repository.existsBy({ retiredAt: IsNull() }))) {
      await this.generate();
    }
    await this.reload();
  }

  signingKey(): { kid: string; privateKey: KeyObject } {
    if (!this.signing?.privateKey) {
      throw new Error('No signing key is loaded');
    }
    return { kid: this.signing.kid, privateKey: this.signing.privateKey };
  }

  /** The public key for a token's `kid`; an unknown kid triggers one reload (another replica may have rotated). */
  async verificationKey(kid: string | undefined): Promise<KeyObject | undefined> {
    if (!kid) {
      return undefined;
    }
    const known = this.keys.get(kid);
    if (known || Date.now() - this.lastReload < RELOAD_INTERVAL_MS) {
      return known?.publicKey;
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

  /** Makes a new signing key; the old ones stay published until the tokens they signed have expired. */
  async rotate(): Promise<string> {
    const kid = await this.generate();
    await this.repository.update({ retiredAt: IsNull(), kid: Not(kid) }, { retiredAt: new Date() });
    await this.reload();
    return kid;
  }

  private async generate(): Promise<string> {
    const { privateKey, publicKey } = await generateRsaKeyPair('rsa', {
      modulusLength: 2048,
    });
    const kid = thumbprint(publicKey);
    await this.repository.insert({
      kid,
      algorithm: 'RS256',
      privateKey: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
      publicKey: publicKey.export({ format: 'pem', type: 'spki' }).toString(),
      createdAt: new Date(),
      retiredAt: null,
    });
    this.logger.log(`Generated signing key ${kid}`);
    return kid;
  }

  private async reload(): Promise<void> {
    this.lastReload = Date.now();
    const publishedSince = new Date(Date.now() - this.config.accessTokenTtlSeconds * 1000 - 60_000);
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
