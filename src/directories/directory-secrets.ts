import { Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { ProblemException } from '../common/errors/problem.exception';
import { directoriesConfig } from '../config/directories.config';

const IV_BYTES = 12;
const TAG_BYTES = 16;
const FORMAT = 'v1';

/**
 * Encrypts directory bind passwords at rest with AES-256-GCM under `DIRECTORY_SECRET_KEY`. Without the key no
 * password is stored or read (503 `encryption_key_missing`): a key kept in the same database as the ciphertext
 * would not protect it from the one leak that matters, a copy of the database.
 */
@Injectable()
export class DirectorySecrets {
  constructor(@Inject(directoriesConfig.KEY) private readonly config: ConfigType<typeof directoriesConfig>) {}

  encrypt(plain: string, directoryId: string): string {
    const key = this.key();
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    // The directory id is authenticated data: a ciphertext copied onto another directory does not decrypt.
    cipher.setAAD(Buffer.from(directoryId));
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return `${FORMAT}:${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64')}`;
  }

  decrypt(stored: string, directoryId: string): string {
    const key = this.key();
    try {
      const [format, payload] = stored.split(':');
      if (format !== FORMAT || !payload) {
        throw new Error('unknown format');
      }
      const raw = Buffer.from(payload, 'base64');
      const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, IV_BYTES));
      decipher.setAAD(Buffer.from(directoryId));
      decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
      return Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
    } catch {
      throw new ProblemException(
        503,
        'encryption_key_mismatch',
        'The stored bind password cannot be decrypted with DIRECTORY_SECRET_KEY; set the key it was stored with, or set the bind password again.',
      );
    }
  }

  private key(): Buffer {
    const key = this.config.secretKey;
    if (!key || key.length !== 32) {
      throw new ProblemException(
        503,
        'encryption_key_missing',
        'DIRECTORY_SECRET_KEY is not configured, so directory bind passwords cannot be stored or used.',
      );
    }
    return key;
  }
}
